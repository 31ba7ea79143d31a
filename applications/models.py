"""An application a resident sends from the public site, until the kelurahan handles it."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jakpreneur.text import CleanTextModelMixin
from participants.identity import nik_mask
from participants.models import Gender, HeardVia, Sector

# Read over the phone and typed on one: no 0/O, 1/I/L, 2/Z, 5/S, 8/B look-alikes.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8  # 25^8 ≈ 1.5·10^11 codes, and the status page is limited per address
# The privacy notice an applicant agreed to (templates/applications/_privacy_notice.html).
NOTICE_VERSION = "2026-12"


def code_generate() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_display(code: str) -> str:
    """ABCD-EFGH: two groups of four, as it is read aloud."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}" if code else ""


class Application(CleanTextModelMixin, models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Diterima sistem, menunggu verifikasi kelurahan")
        ACCEPTED = "accepted", _("Disetujui: Anda terdaftar di Jakpreneur")
        NEEDS_VISIT = "needs_visit", _("Perlu datang ke kantor kelurahan")
        REJECTED = "rejected", _("Ditolak")

    # A decision the applicant will read comes with its reason.
    DECIDED_WITH_REASON = (Status.NEEDS_VISIT, Status.REJECTED)
    # Still to be decided (needs-visit waits for the applicant to come in).
    OPEN = (Status.RECEIVED, Status.NEEDS_VISIT)

    code = models.CharField(_("kode pengajuan"), max_length=CODE_LENGTH, editable=False)
    nik = models.CharField(_("NIK"), max_length=16)
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    gender = models.CharField(_("jenis kelamin"), max_length=1, choices=Gender)
    birth_date = models.DateField(_("tanggal lahir"))
    phone = models.CharField(_("nomor HP"), max_length=16)
    email = models.EmailField(_("email"), blank=True)
    village = models.ForeignKey(
        "wilayah.Village",
        models.PROTECT,
        related_name="+",
        verbose_name=_("kelurahan domisili"),
        db_index=False,  # application_queue leads with it
    )
    address = models.CharField(_("alamat"), max_length=255)
    # Training categories (participants.models.Sector values): a JSON list works the same on
    # SQLite and PostgreSQL, and nobody filters on it.
    interests = models.JSONField(_("minat pelatihan"), default=list, blank=True)
    program = models.ForeignKey(
        "programs.Program",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pelatihan yang diminati"),
    )
    heard_via = models.CharField(
        _("tahu Jakpreneur dari"), max_length=20, choices=HeardVia
    )
    consent_at = models.DateTimeField(_("persetujuan diberikan"))
    consent_version = models.CharField(_("versi pemberitahuan privasi"), max_length=20)
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.RECEIVED
    )
    reason = models.CharField(_("alasan untuk pemohon"), max_length=500, blank=True)
    applied_at = models.DateTimeField(_("tanggal pengajuan"), default=timezone.now)
    handled_at = models.DateTimeField(_("ditangani pada"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ditangani oleh"),
    )
    resident = models.ForeignKey(
        "participants.Resident",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("warga"),
    )

    class Meta:
        verbose_name = _("pengajuan daring")
        verbose_name_plural = _("pengajuan daring")
        ordering = ["applied_at", "id"]
        indexes = [
            # A kelurahan's queue, oldest first, by status (applications_for_queue).
            models.Index(
                fields=["village", "status", "applied_at"], name="application_queue"
            ),
            # Not handled for 14 days, per kecamatan of a kota (applications_overdue).
            models.Index(
                fields=["applied_at"],
                condition=Q(status="received"),
                name="application_waiting",
            ),
            # Another application with the same NIK (a warning in the queue).
            models.Index(fields=["nik"], name="application_nik"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="application_code_key"),
            models.CheckConstraint(
                condition=Q(code__regex=rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$"),
                name="application_code_alphabet",
                violation_error_message=_("Kode pengajuan tidak sah."),
            ),
            models.CheckConstraint(
                condition=Q(nik__regex=r"^[0-9]{16}$"),
                name="application_nik_16_digits",
                violation_error_message=_("NIK harus 16 digit angka."),
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["received", "accepted", "needs_visit", "rejected"]
                ),
                name="application_status_known",
                violation_error_message=_("Status pengajuan tidak dikenal."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["needs_visit", "rejected"]) | ~Q(reason=""),
                name="application_decision_has_reason",
                violation_error_message=_("Tuliskan alasan yang akan dibaca pemohon."),
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(resident__isnull=False),
                name="application_accepted_has_resident",
                violation_error_message=_(
                    "Pengajuan yang disetujui harus menunjuk warga yang terdaftar."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status="accepted") | Q(resident__isnull=True),
                name="application_resident_only_when_accepted",
                violation_error_message=_(
                    "Hanya pengajuan yang disetujui yang menunjuk warga."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(status="received") & Q(handled_at__isnull=True))
                | (~Q(status="received") & Q(handled_at__isnull=False)),
                name="application_handled_when_decided",
                violation_error_message=_(
                    "Pengajuan yang sudah diputuskan mencatat waktu penanganannya."
                ),
            ),
            models.CheckConstraint(
                condition=Q(consent_version__gt=""),
                name="application_has_consent",
                violation_error_message=_(
                    "Pengajuan hanya diterima dengan persetujuan pemohon."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code_display} {self.full_name} ({nik_mask(self.nik)})"

    def get_absolute_url(self) -> str:
        return reverse("applications:detail", args=[self.pk])

    @property
    def code_display(self) -> str:
        return code_display(self.code)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def interest_labels(self) -> list[str]:
        return [Sector(value).label for value in self.interests if value in Sector]
