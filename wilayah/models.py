"""DKI Jakarta places, identified by their Kemendagri codes."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.text import slugify
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


def district_slug(*, name: str, city_name: str, repeated: bool) -> str:
    """The kecamatan's name in a URL (/program/kembangan/); with its kota's name appended
    when another kecamatan of DKI Jakarta has the same name (kota short name)."""
    return slugify(f"{name} {city_name}" if repeated else name)


class District(Place):
    code = _code_field(DISTRICT_CODE, "31.73.08")
    city = models.ForeignKey(
        City, models.PROTECT, related_name="districts", verbose_name=_("kota")
    )
    # Filled by load_wilayah (wilayah.services.district_slugs_refresh); public URLs use it.
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        blank=True,  # filled from the name on clean/save
        help_text=_("Nama kecamatan di alamat halaman publik, misalnya kembangan."),
    )
    # The kantor kecamatan, where the PKT desk sits: official contacts shown to the public.
    office_address = models.CharField(
        _("alamat kantor kecamatan"), max_length=255, blank=True
    )
    office_phone = models.CharField(
        _("telepon kantor kecamatan (meja PKT)"),
        max_length=30,
        blank=True,
        help_text=_("Nomor resmi kantor, bukan nomor pribadi petugas."),
    )

    class Meta(Place.Meta):
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=DISTRICT_CODE),
                name="wilayah_district_code_format",
            ),
            models.UniqueConstraint(
                fields=["slug"],
                name="wilayah_district_slug_unique",
                violation_error_message=_("Slug ini sudah dipakai kecamatan lain."),
            ),
            models.CheckConstraint(
                condition=~models.Q(slug=""),
                name="wilayah_district_slug_not_empty",
            ),
        ]

    def save(self, *args, **kwargs):
        self._fill_slug()
        super().save(*args, **kwargs)

    def clean(self):
        self._fill_slug()

    def _fill_slug(self) -> None:
        """A kecamatan added by hand gets its slug from its name (its kota's appended if
        the name is taken); load_wilayah then applies the rule to all at once."""
        if self.slug or not self.name or not self.city_id:
            return
        repeated = (
            District.objects.filter(name__iexact=self.name).exclude(pk=self.pk).exists()
        )
        self.slug = district_slug(
            name=self.name, city_name=self.city.short_name, repeated=repeated
        )


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
