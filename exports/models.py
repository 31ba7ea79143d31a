"""Resident list exports too big for a request, built by a background job."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    """One export of the resident list with its filters, as its user asked for it."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        QUEUED = "queued", _("menunggu")
        RUNNING = "running", _("sedang dibuat")
        DONE = "done", _("siap diunduh")
        FAILED = "failed", _("gagal")
        EXPIRED = "expired", _("sudah dihapus")

    # Statuses in which a worker is (or will be) busy with the job: the page keeps polling.
    BUSY = (Status.QUEUED, Status.RUNNING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("pengguna"),
    )
    format = models.CharField(_("format"), max_length=4, choices=Format)
    # The list's filters as the validated form received them: the job binds the same form
    # again, as its user, so the rows are exactly the list's.
    filters = models.JSONField(_("filter"), default=dict, blank=True)
    # Full NIKs and birth dates, as may_reveal_nik allowed when the file was built.
    unmasked = models.BooleanField(_("NIK lengkap"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=Status, default=Status.QUEUED
    )
    message = models.TextField(_("pesan"), blank=True)
    rows_total = models.PositiveIntegerField(_("baris"), default=0)
    rows_written = models.PositiveIntegerField(_("baris ditulis"), default=0)
    size = models.PositiveBigIntegerField(_("ukuran (byte)"), default=0)
    # Each run counts up; a file's parts belong to one run, so a rerun (after a killed
    # worker) starts from scratch without mixing in the parts of the run before.
    attempt = models.PositiveIntegerField(default=0, editable=False)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("diminta"), auto_now_add=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    class Meta:
        verbose_name = _("ekspor")
        verbose_name_plural = _("ekspor")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="export_user")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="done")
                | models.Q(finished_at__isnull=False),
                name="exports_done_has_finished_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("exports:detail", args=[self.pk])

    @property
    def is_busy(self) -> bool:
        return self.status in self.BUSY

    @property
    def kept_until(self) -> datetime | None:
        """When the finished file is deleted (it holds personal data)."""
        if self.finished_at is None:
            return None
        return self.finished_at + timedelta(hours=settings.EXPORT_KEEP_HOURS)

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, self.rows_written * 100 // self.rows_total)

    @property
    def file_name(self) -> str:
        return f"warga-ekspor-{self.pk}.{self.format}"


class ExportPart(models.Model):
    """A piece of a built file (about a megabyte), in the database so that a worker on any
    machine writes it and any web worker streams it back, a piece at a time."""

    job = models.ForeignKey(ExportJob, models.CASCADE, related_name="parts")
    attempt = models.PositiveIntegerField()
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        verbose_name = _("bagian berkas ekspor")
        verbose_name_plural = _("bagian berkas ekspor")
        constraints = [
            models.UniqueConstraint(
                fields=["job", "attempt", "number"], name="exports_part_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.attempt}/{self.number}"
