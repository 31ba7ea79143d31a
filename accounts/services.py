"""Provisioning staff accounts."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jakpreneur.text import text_clean
from wilayah.models import City, District, Village

from .models import StaffProfile

User = get_user_model()
Role = StaffProfile.Role
# The Suku Dinas model, named by the profile's own field (programs sits above accounts).
Agency = StaffProfile._meta.get_field("agency").related_model

SCOPE_EXAMPLES = {
    Role.KELURAHAN: "31.73.08.1005",
    Role.KECAMATAN: "31.73.08",
    Role.SUDIN: "31.73:PPKUKM",
    Role.PIMPINAN: "31.73",
}


def scope_resolve(*, role: str, scope: str | None):
    """The place or agency a scope code names for a role; ValidationError on 'scope'."""
    if role not in Role.values:
        raise ValidationError(
            {
                "role": _(
                    "Peran '%(role)s' tidak dikenal. Pilih salah satu: %(roles)s."
                )
                % {"role": role, "roles": ", ".join(Role.values)}
            }
        )
    scope = (scope or "").strip()
    if role == Role.ADMIN:
        if scope:
            raise ValidationError(
                {"scope": _("Admin tidak memakai wilayah/Suku Dinas.")}
            )
        return None
    example = SCOPE_EXAMPLES[role]
    if not scope:
        raise ValidationError(
            {
                "scope": _("Peran ini perlu --scope, contoh %(example)s.")
                % {"example": example}
            }
        )
    found = None
    if role == Role.KELURAHAN:
        found = Village.objects.filter(code=scope).first()
    elif role == Role.KECAMATAN:
        found = District.objects.filter(code=scope).first()
    elif role == Role.PIMPINAN:
        found = City.objects.filter(code=scope).first()
    elif role == Role.SUDIN:
        city_code, _sep, short_name = scope.partition(":")
        found = Agency.objects.filter(
            city__code=city_code, short_name__iexact=short_name
        ).first()
    if found is None:
        raise ValidationError(
            {
                "scope": _(
                    "'%(scope)s' tidak ditemukan untuk peran %(role)s (contoh %(example)s)."
                )
                % {"scope": scope, "role": role, "example": example}
            }
        )
    return found


@transaction.atomic
def staff_save(
    *,
    username: str,
    role: str,
    scope: str | None = None,
    password: str | None = None,
    full_name: str = "",
    email: str = "",
    demo: bool = False,
) -> tuple[User, bool]:
    """Create a staff account (or update its role, scope and password); return (user, created).

    A password set here was chosen by someone else, so its owner must change it at their
    first login; demo accounts keep the published demo password and are not asked.
    """
    # Django's User is not ours to give CleanTextModelMixin: its text is cleaned here.
    username, full_name, email = (
        text_clean(t or "") for t in (username, full_name, email)
    )
    scope_object = scope_resolve(role=role, scope=scope)
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        if not password:
            raise ValidationError({"password": _("Akun baru perlu kata sandi.")})
        user = User(username=username)
    first, _sep, last = full_name.partition(" ")
    if full_name:
        user.first_name, user.last_name = first, last
    if email:
        user.email = email
    user.is_staff = user.is_superuser = role == Role.ADMIN
    if password:
        try:
            # The demo accounts' password is the published one on purpose.
            validate_password(password, user, password_validators=[] if demo else None)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
        user.set_password(password)
    user.full_clean(exclude=["password"] if not password else None)
    user.save()

    profile = StaffProfile.objects.filter(user=user).first() or StaffProfile(user=user)
    profile.role = role
    for field in ("village", "district", "agency", "city"):
        setattr(profile, field, None)
    if scope_object is not None:
        setattr(profile, StaffProfile.SCOPE_OF_ROLE[role], scope_object)
    if password:
        profile.must_change_password = not demo
    profile.full_clean()
    profile.save()
    return user, created


@transaction.atomic
def staff_password_set_by_admin(*, user: User) -> None:
    """An admin chose this user's password: its owner must replace it at their next login.

    A superuser without a staff profile gets the admin one, so the rule reaches them too.
    """
    updated = StaffProfile.objects.filter(user=user).update(must_change_password=True)
    if not updated and user.is_superuser:
        StaffProfile.objects.create(
            user=user, role=Role.ADMIN, must_change_password=True
        )


@transaction.atomic
def staff_password_change(*, user: User, password: str) -> None:
    """The user's own new password (already validated); nothing more to change."""
    user.set_password(password)
    user.save(update_fields=["password"])
    StaffProfile.objects.filter(user=user).update(must_change_password=False)
