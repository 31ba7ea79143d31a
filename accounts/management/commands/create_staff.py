import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import StaffProfile
from accounts.services import staff_save

User = get_user_model()


class Command(BaseCommand):
    help = (
        "Create or update a staff account with one role and scope, e.g. "
        "create_staff joglo1 --role kelurahan --scope 31.73.08.1005. Scope: a kelurahan, "
        "kecamatan or kota code, or KOTA:SUDIN (31.73:PPKUKM) for petugas Sudin. The password "
        "comes from the env var named by --password-env (default STAFF_PASSWORD) or a prompt."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--role", required=True, help=", ".join(StaffProfile.Role.values)
        )
        parser.add_argument("--scope", default="", help="kode wilayah atau KOTA:SUDIN")
        parser.add_argument("--name", default="", help="nama lengkap")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-env",
            default="STAFF_PASSWORD",
            help="environment variable that holds the password",
        )
        parser.add_argument(
            "--no-password",
            action="store_true",
            help="keep an existing user's password",
        )

    def handle(
        self,
        *args,
        username,
        role,
        scope,
        name,
        email,
        password_env,
        no_password,
        **options,
    ):
        password = None
        if not no_password:
            password = os.environ.get(password_env) or self._prompt()
        if password is None and not User.objects.filter(username=username).exists():
            raise CommandError(
                f"Akun baru perlu kata sandi: isi variabel lingkungan {password_env} "
                "atau jalankan perintah ini di terminal untuk mengetiknya."
            )
        try:
            user, created = staff_save(
                username=username,
                role=role,
                scope=scope,
                password=password,
                full_name=name,
                email=email,
            )
        except ValidationError as error:
            raise CommandError(_messages(error)) from error
        verb = "dibuat" if created else "diperbarui"
        scope_text = user.staff.scope or "-"
        note = (
            "; wajib mengganti kata sandi saat masuk pertama"
            if user.staff.must_change_password
            else ""
        )
        self.stdout.write(
            f"Akun {user.username} {verb}: {user.staff.get_role_display()}, "
            f"{scope_text}{note}"
        )

    def _prompt(self) -> str | None:
        if not sys.stdin.isatty():
            return None
        first = getpass.getpass("Kata sandi: ")
        if first != getpass.getpass("Ulangi kata sandi: "):
            raise CommandError("Kata sandi tidak sama.")
        return first


def _messages(error: ValidationError) -> str:
    """'field: message; ...' so the operator knows which option to fix."""
    if not hasattr(error, "error_dict"):
        return "; ".join(error.messages)
    return "; ".join(
        message if field == "__all__" else f"{field}: {message}"
        for field, messages in error.message_dict.items()
        for message in messages
    )
