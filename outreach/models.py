"""An outreach activity: where, when, by whom, of what kind, and how many people it reached."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jakpreneur.history import HistoricalRecords
from jakpreneur.text import CleanTextModelMixin

# Nobody reaches more with one activity; a larger number is a typing slip (a social media
# post's views are not people reached).
PEOPLE_REACHED_MAX = 100_000
# Jakpreneur (PKT, Pergub 2/2020) began in 2020: nothing was held for it earlier.
FIRST_DAY = date(2020, 1, 1)


class OutreachActivity(CleanTextModelMixin, models.Model):
    class Kind(models.TextChoices):
        FACE_TO_FACE = "tatap_muka", _("Sosialisasi tatap muka")
        BAZAAR = "bazar", _("Bazar/pameran")
        SOCIAL_MEDIA = "media_sosial", _("Media sosial")
        HOME_VISIT = "kunjungan_rumah", _("Kunjungan rumah")
        OTHER = "lainnya", _("Lainnya")

    class Office(models.TextChoices):
        """An office that organised it, when no Suku Dinas did."""

        KECAMATAN = "kecamatan", _("Kantor kecamatan")
        KELURAHAN = "kelurahan", _("Kantor kelurahan")
        OTHER = "lainnya", _("Kantor/instansi lain")

    held_on = models.DateField(_("tanggal kegiatan"))
    district = models.ForeignKey(
        "wilayah.District",
        models.PROTECT,
        related_name="outreach_activities",
        verbose_name=_("kecamatan"),
    )
    # Set when the activity was local to one kelurahan (of that kecamatan).
    village = models.ForeignKey(
        "wilayah.Village",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_activities",
        verbose_name=_("kelurahan"),
    )
    # The organiser: a Suku Dinas, or else an office (exactly one; see the constraints).
    agency = models.ForeignKey(
        "programs.Agency",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_activities",
        verbose_name=_("Suku Dinas penyelenggara"),
    )
    office = models.CharField(
        _("kantor penyelenggara"), max_length=10, choices=Office, blank=True
    )
    office_name = models.CharField(
        _("nama kantor/instansi"), max_length=120, blank=True
    )
    kind = models.CharField(_("jenis kegiatan"), max_length=20, choices=Kind)
    people_reached = models.PositiveIntegerField(_("jumlah orang terjangkau"))
    notes = models.TextField(_("catatan"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dicatat oleh"),
    )
    created_at = models.DateTimeField(_("dicatat pada"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kegiatan sosialisasi")
        verbose_name_plural = _("kegiatan sosialisasi")
        ordering = ["-held_on", "-pk"]
        indexes = [
            # The dashboard panel and the lists: a kecamatan's activities of a semester.
            models.Index(
                fields=["district", "held_on"], name="outreach_district_held_on"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(agency__isnull=False, office="", office_name="")
                | (Q(agency__isnull=True) & ~Q(office="")),
                name="outreach_activity_one_organiser",
                violation_error_message=_(
                    "Pilih satu penyelenggara: Suku Dinas atau kantor, tidak keduanya."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(office="lainnya") | ~Q(office_name=""),
                name="outreach_activity_other_office_named",
                violation_error_message=_("Tulis nama kantor/instansi penyelenggara."),
            ),
            models.CheckConstraint(
                condition=~Q(office="kelurahan") | Q(village__isnull=False),
                name="outreach_activity_kelurahan_office_local",
                violation_error_message=_(
                    "Kegiatan kantor kelurahan harus menyebut kelurahannya."
                ),
            ),
            models.CheckConstraint(
                condition=Q(
                    people_reached__gte=0, people_reached__lte=PEOPLE_REACHED_MAX
                ),
                name="outreach_activity_people_reached_bounded",
                violation_error_message=_(
                    "Jumlah orang terjangkau antara 0 dan 100.000."
                ),
            ),
            models.CheckConstraint(
                condition=Q(held_on__gte=FIRST_DAY),
                name="outreach_activity_held_since_2020",
                violation_error_message=_(
                    "Tanggal kegiatan tidak boleh sebelum 2020 (awal Jakpreneur)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.district} {self.held_on:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("outreach:edit", args=[self.pk])

    @property
    def organiser(self) -> str:
        """Who organised it, as the lists show it."""
        if self.agency_id:
            return f"Sudin {self.agency.short_name}"
        if self.office == self.Office.KECAMATAN:
            return _("Kantor Kecamatan %(name)s") % {"name": self.district.name}
        if self.office == self.Office.KELURAHAN and self.village_id:
            return _("Kantor Kelurahan %(name)s") % {"name": self.village.name}
        return self.office_name
