"""Import registrations and attendance from an XLSX or CSV file (any size)."""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from imports.errorfile import error_file_write
from imports.reading import ImportFileError, table_open
from imports.services import rows_import


class Command(BaseCommand):
    help = (
        "Impor warga dan kehadiran pelatihan dari XLSX/CSV dengan aturan yang sama dengan "
        "formulir. Baris bermasalah ditulis ke FILE.kesalahan.xlsx; status keluar 1 bila "
        "ada baris yang gagal."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", help="akun yang mengimpor (wilayahnya berlaku)")
        parser.add_argument(
            "--sheet", default="", help="nama lembar XLSX (default: pertama)"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="periksa saja, tidak menyimpan apa pun",
        )

    def handle(self, *args, file, user, sheet, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Berkas tidak ada: {path}")
        importer = self._user(user)
        tty = sys.stderr.isatty()
        errors = []

        def progress(done, results, summary):
            errors.extend((r.number, r.cells, r.errors) for r in results if r.errors)
            if tty:
                sys.stderr.write(f"\r{done:,} baris".replace(",", "."))
                sys.stderr.flush()

        try:
            summary = rows_import(
                table=table_open(path, file_name=path.name, sheet=sheet),
                user=importer,
                write=not dry_run,
                after_chunk=progress,
            )
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        if tty:
            sys.stderr.write("\n")
        for notice in summary.notices:
            self.stderr.write(notice)
        if errors:
            target = path.with_name(path.stem + ".kesalahan.xlsx")
            error_file_write(
                target,
                columns=table_open(path, file_name=path.name, sheet=sheet).columns,
                rows=errors,
            )
            self.stderr.write(f"Baris bermasalah: {target}")
        prefix = "[uji coba, tidak disimpan] " if dry_run else ""
        self.stdout.write(prefix + summary.line())
        if summary.errors:
            sys.exit(1)

    def _user(self, username):
        User = get_user_model()
        if not username:
            user = User.objects.filter(is_superuser=True).order_by("pk").first()
            if user is None:
                raise CommandError("Tidak ada admin: sebutkan --user USERNAME.")
            return user
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"Pengguna tidak ada: {username}") from None
