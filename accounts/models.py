"""Staff accounts: every user has one role and the place or agency it covers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SCOPE_FIELDS = ("village", "district", "agency", "city")


class Role(models.TextChoices):
    KELURAHAN = "kelurahan", _("Petugas kelurahan")
    KECAMATAN = "kecamatan", _("Petugas kecamatan")
    SUDIN = "sudin", _("Petugas Sudin")
    PIMPINAN = "pimpinan", _("Pimpinan")
    ADMIN = "admin", _("Admin")


# The one scope field each role needs; the others stay empty.
SCOPE_OF_ROLE = {
    Role.KELURAHAN: "village",
    Role.KECAMATAN: "district",
    Role.SUDIN: "agency",
    Role.PIMPINAN: "city",
    Role.ADMIN: None,
}

SCOPE_MATCHES_ROLE = Q(
    *(
        Q(role=role, **{f"{name}__isnull": name != scope for name in SCOPE_FIELDS})
        for role, scope in SCOPE_OF_ROLE.items()
    ),
    _connector=Q.OR,
)


class StaffProfile(models.Model):
    Role = Role
    SCOPE_OF_ROLE = SCOPE_OF_ROLE

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="staff",
        verbose_name=_("pengguna"),
    )
    role = models.CharField(_("peran"), max_length=10, choices=Role, db_index=True)
    village = models.ForeignKey(
        "wilayah.Village",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("kelurahan"),
    )
    district = models.ForeignKey(
        "wilayah.District",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("kecamatan"),
    )
    agency = models.ForeignKey(
        "programs.Agency",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("Suku Dinas"),
    )
    city = models.ForeignKey(
        "wilayah.City",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("kota"),
    )
    must_change_password = models.BooleanField(
        _("wajib ganti kata sandi"),
        default=False,
        help_text=_(
            "Petugas diminta mengganti kata sandinya sebelum memakai aplikasi. Diisi "
            "otomatis saat admin membuat akun atau menetapkan kata sandinya."
        ),
    )

    class Meta:
        verbose_name = _("profil petugas")
        verbose_name_plural = _("profil petugas")
        constraints = [
            models.CheckConstraint(
                condition=SCOPE_MATCHES_ROLE,
                name="accounts_staffprofile_scope_matches_role",
                violation_error_message=_(
                    "Wilayah/Suku Dinas tidak cocok dengan peran: kelurahan untuk petugas "
                    "kelurahan, kecamatan untuk petugas kecamatan, Suku Dinas untuk petugas "
                    "Sudin, kota untuk pimpinan, kosong untuk admin."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"

    @property
    def scope(self):
        """The village, district, agency or city this staff member covers (None for admins)."""
        field = self.SCOPE_OF_ROLE[self.role]
        return getattr(self, field) if field else None
