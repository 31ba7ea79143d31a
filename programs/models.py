"""Suku Dinas (agencies) and their field leads per kecamatan."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Agency(models.Model):
    """A Suku Dinas: a city-level sub-agency that runs trainings."""

    city = models.ForeignKey(
        "wilayah.City", models.PROTECT, related_name="agencies", verbose_name=_("kota")
    )
    short_name = models.CharField(
        _("singkatan"), max_length=20, help_text=_("Contoh: PPKUKM, Parekraf.")
    )
    name = models.CharField(_("nama lengkap"), max_length=200)

    class Meta:
        verbose_name = _("Suku Dinas")
        verbose_name_plural = _("Suku Dinas")
        ordering = ["city__code", "short_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "short_name"],
                name="programs_agency_short_name_per_city",
                violation_error_message=_(
                    "Kota ini sudah punya Suku Dinas dengan singkatan itu."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Sudin {self.short_name} {self.city.short_name}"


class FieldLead(models.Model):
    """The Kasatlak/Kasatpel a Sudin has in one kecamatan."""

    class Title(models.TextChoices):
        KASATLAK = "kasatlak", _("Kasatlak")
        KASATPEL = "kasatpel", _("Kasatpel")

    agency = models.ForeignKey(
        Agency, models.PROTECT, related_name="field_leads", verbose_name=_("Suku Dinas")
    )
    district = models.ForeignKey(
        "wilayah.District",
        models.PROTECT,
        related_name="field_leads",
        verbose_name=_("kecamatan"),
    )
    name = models.CharField(_("nama"), max_length=120)
    title = models.CharField(
        _("jabatan"), max_length=10, choices=Title, default=Title.KASATPEL
    )
    phone = models.CharField(_("telepon"), max_length=20, blank=True)
    active = models.BooleanField(_("aktif"), default=True, db_index=True)

    class Meta:
        verbose_name = _("Kasatlak/Kasatpel")
        verbose_name_plural = _("Kasatlak/Kasatpel")
        ordering = ["agency", "district__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "district"],
                condition=models.Q(active=True),
                name="programs_fieldlead_one_active_per_district",
                violation_error_message=_(
                    "Suku Dinas ini sudah punya Kasatlak/Kasatpel aktif di kecamatan ini."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_title_display()} {self.agency.short_name} {self.district}: {self.name}"

    def clean(self):
        if (
            self.agency_id
            and self.district_id
            and self.district.city_id != self.agency.city_id
        ):
            raise ValidationError(
                {
                    "district": _(
                        "Kecamatan ini tidak berada di kota Suku Dinas tersebut."
                    )
                }
            )
