"""Suku Dinas (agencies) and their field leads per kecamatan."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jakpreneur.history import HistoricalRecords
from jakpreneur.text import CleanTextModelMixin
from participants.models import Sector

# A training takes enrolments from this many days before it starts until its last day.
ENROLMENT_OPENS_DAYS = 90


class Agency(CleanTextModelMixin, models.Model):
    """A Suku Dinas: a city-level sub-agency that runs trainings."""

    city = models.ForeignKey(
        "wilayah.City", models.PROTECT, related_name="agencies", verbose_name=_("kota")
    )
    short_name = models.CharField(
        _("singkatan"), max_length=20, help_text=_("Contoh: PPKUKM, Parekraf.")
    )
    name = models.CharField(_("nama lengkap"), max_length=200)
    # Official office contacts, shown on the public pages (never a person's own number).
    office_address = models.CharField(_("alamat kantor"), max_length=255, blank=True)
    office_phone = models.CharField(
        _("telepon kantor"),
        max_length=30,
        blank=True,
        help_text=_("Nomor resmi kantor Suku Dinas; tampil di halaman publik."),
    )

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


class FieldLead(CleanTextModelMixin, models.Model):
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
    # For staff only: it may be a private number, so it never appears on a public page.
    phone = models.CharField(_("telepon"), max_length=20, blank=True)
    office_phone = models.CharField(
        _("telepon kantor"),
        max_length=30,
        blank=True,
        help_text=_(
            "Nomor resmi kantor/satlak yang boleh tampil di halaman publik; "
            "jangan isi nomor pribadi."
        ),
    )
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


class Program(CleanTextModelMixin, models.Model):
    """A training (pelatihan) run by one Suku Dinas."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("rencana")
        OPEN = "open", _("dibuka")
        RUNNING = "running", _("berjalan")
        DONE = "done", _("selesai")
        CANCELLED = "cancelled", _("batal")

    # Statuses in which residents may still be enrolled.
    ENROLLING = (Status.PLANNED, Status.OPEN, Status.RUNNING)

    code = models.CharField(
        _("kode"),
        max_length=40,
        unique=True,
        help_text=_(
            "Dibuat otomatis: KOTA-SUDIN-TAHUN-URUT, misalnya JB-PPKUKM-2025-014."
        ),
    )
    title = models.CharField(_("judul pelatihan"), max_length=200)
    agency = models.ForeignKey(
        Agency, models.PROTECT, related_name="programs", verbose_name=_("Suku Dinas")
    )
    category = models.CharField(_("kategori"), max_length=10, choices=Sector)
    district = models.ForeignKey(
        "wilayah.District",
        models.PROTECT,
        related_name="programs",
        verbose_name=_("kecamatan tempat pelatihan"),
    )
    venue = models.CharField(_("alamat tempat"), max_length=255)
    start_date = models.DateField(_("tanggal mulai"))
    end_date = models.DateField(_("tanggal selesai"))
    capacity = models.PositiveIntegerField(_("kuota peserta"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status,
        default=Status.PLANNED,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pelatihan")
        verbose_name_plural = _("pelatihan")
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["agency", "-start_date"], name="program_agency_start"),
            models.Index(
                fields=["district", "-start_date"], name="program_district_start"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="programs_program_ends_after_start",
                violation_error_message=_(
                    "Tanggal selesai tidak boleh sebelum tanggal mulai."
                ),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gt=0),
                name="programs_program_capacity_positive",
                violation_error_message=_("Kuota peserta minimal 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("programs:detail", args=[self.pk])

    def clean(self):
        errors = {}
        if (
            self.agency_id
            and self.district_id
            and self.district.city_id != self.agency.city_id
        ):
            errors["district"] = _(
                "Kecamatan ini tidak berada di kota Suku Dinas penyelenggara."
            )
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("Tanggal selesai tidak boleh sebelum tanggal mulai.")
        if self.capacity is not None and self.capacity < 1:
            errors["capacity"] = _("Kuota peserta minimal 1.")
        if errors:
            raise ValidationError(errors)


class Enrollment(CleanTextModelMixin, models.Model):
    """A resident in a programme: terdaftar → hadir → lulus, or batal."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("terdaftar")
        ATTENDED = "attended", _("hadir")
        COMPLETED = "completed", _("lulus")
        CANCELLED = "cancelled", _("batal")

    # An enrolment in one of these puts the resident at the Pelatihan stage.
    TRAINED = (Status.ATTENDED, Status.COMPLETED)

    resident = models.ForeignKey(
        "participants.Resident",
        models.PROTECT,
        related_name="enrollments",
        verbose_name=_("warga"),
    )
    program = models.ForeignKey(
        Program, models.PROTECT, related_name="enrollments", verbose_name=_("pelatihan")
    )
    enrolled_on = models.DateField(_("tanggal pendaftaran pelatihan"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.ENROLLED
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("didaftarkan oleh"),
    )
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("peserta pelatihan")
        verbose_name_plural = _("peserta pelatihan")
        ordering = ["program", "resident__full_name"]
        indexes = [
            models.Index(
                fields=["resident", "status", "enrolled_on"], name="enrollment_resident"
            ),
            models.Index(fields=["program", "status"], name="enrollment_program"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "program"],
                name="programs_enrollment_once",
                violation_error_message=_(
                    "Warga ini sudah terdaftar di pelatihan ini."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} · {self.program.code}"
