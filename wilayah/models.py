"""DKI Jakarta places, identified by their Kemendagri codes."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jakpreneur.text import CleanTextModelMixin

PROVINCE_CODE = r"^[0-9]{2}$"
CITY_CODE = r"^[0-9]{2}\.[0-9]{2}$"
DISTRICT_CODE = r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$"
VILLAGE_CODE = r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$"


def _code_field(pattern: str, example: str) -> models.CharField:
    return models.CharField(
        _("kode Kemendagri"),
        max_length=len(example),
        unique=True,
        validators=[
            RegexValidator(
                pattern,
                _("Kode harus berbentuk %(example)s.") % {"example": example},
            )
        ],
    )


class Place(CleanTextModelMixin, models.Model):
    """Fields every level shares."""

    name = models.CharField(_("nama"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Province(Place):
    code = _code_field(PROVINCE_CODE, "31")

    class Meta(Place.Meta):
        verbose_name = _("provinsi")
        verbose_name_plural = _("provinsi")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=PROVINCE_CODE),
                name="wilayah_province_code_format",
            )
        ]


class City(Place):
    class Kind(models.TextChoices):
        KOTA = "kota", _("Kota Administrasi")
        KABUPATEN = "kabupaten", _("Kabupaten Administrasi")

    code = _code_field(CITY_CODE, "31.73")
    province = models.ForeignKey(
        Province, models.PROTECT, related_name="cities", verbose_name=_("provinsi")
    )
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind, default=Kind.KOTA)

    class Meta(Place.Meta):
        verbose_name = _("kota/kabupaten")
        verbose_name_plural = _("kota/kabupaten")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=CITY_CODE),
                name="wilayah_city_code_format",
            )
        ]

    @property
    def short_name(self) -> str:
        """'Jakarta Barat' for 'Kota Administrasi Jakarta Barat'."""
        for prefix in ("Kota Administrasi ", "Kabupaten Administrasi "):
            if self.name.startswith(prefix):
                return self.name.removeprefix(prefix)
        return self.name

    @property
    def abbreviation(self) -> str:
        """'JB' for Jakarta Barat, 'KS' for Kepulauan Seribu: programme codes start with it."""
        return "".join(word[0] for word in self.short_name.split()).upper()


class District(Place):
    code = _code_field(DISTRICT_CODE, "31.73.08")
    city = models.ForeignKey(
        City, models.PROTECT, related_name="districts", verbose_name=_("kota")
    )

    class Meta(Place.Meta):
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=DISTRICT_CODE),
                name="wilayah_district_code_format",
            )
        ]


class Village(Place):
    code = _code_field(VILLAGE_CODE, "31.73.08.1005")
    district = models.ForeignKey(
        District, models.PROTECT, related_name="villages", verbose_name=_("kecamatan")
    )

    class Meta(Place.Meta):
        verbose_name = _("kelurahan")
        verbose_name_plural = _("kelurahan")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=VILLAGE_CODE),
                name="wilayah_village_code_format",
            )
        ]
