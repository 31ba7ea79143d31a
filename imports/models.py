"""Imports of the city's spreadsheets (registrations and attendance), run as background jobs."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One uploaded file: checked, shown as a preview, then written when the user commits."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("menunggu diperiksa")
        CHECKING = "checking", _("sedang diperiksa")
        CHECKED = "checked", _("siap disimpan")
        WRITING_QUEUED = "write_queued", _("menunggu disimpan")
        WRITING = "writing", _("sedang disimpan")
        DONE = "done", _("selesai")
        FAILED = "failed", _("gagal")

    # Statuses in which a worker is (or will be) busy with the job: the page keeps polling.
    RUNNING = (Status.QUEUED, Status.CHECKING, Status.WRITING_QUEUED, Status.WRITING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("pengguna"),
    )
    file_name = models.CharField(_("nama berkas"), max_length=255)
    sheet = models.CharField(_("lembar"), max_length=100, blank=True)
    # The uploaded bytes (at most IMPORT_MAX_BYTES), in the database so that a worker on
    # any machine reads them; kept for the error file until the import is deleted (admin).
    content = models.BinaryField(editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.QUEUED
    )
    message = models.TextField(_("pesan"), blank=True)
    rows_total = models.PositiveIntegerField(_("baris"), default=0)
    rows_checked = models.PositiveIntegerField(_("baris diperiksa"), default=0)
    # Data rows whose chunk is committed (written or refused): a rerun starts after them.
    rows_written = models.PositiveIntegerField(_("baris disimpan"), default=0)
    new_residents = models.PositiveIntegerField(_("warga baru"), default=0)
    updated_residents = models.PositiveIntegerField(_("warga diperbarui"), default=0)
    new_enrollments = models.PositiveIntegerField(_("pendaftaran pelatihan"), default=0)
    unchanged = models.PositiveIntegerField(_("tidak berubah"), default=0)
    error_rows = models.PositiveIntegerField(_("baris bermasalah"), default=0)
    warning_rows = models.PositiveIntegerField(_("baris berperingatan"), default=0)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("diunggah"), auto_now_add=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    class Meta:
        verbose_name = _("impor")
        verbose_name_plural = _("impor")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="import_user")]

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return reverse("imports:detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def percent(self) -> int:
        """How far the current step is, 0–100, for the progress bar."""
        if not self.rows_total:
            return 0
        if self.status in (self.Status.WRITING, self.Status.DONE):
            done = self.rows_written
        else:
            done = self.rows_checked
        return min(100, done * 100 // self.rows_total)


class ImportIssue(models.Model):
    """An error (the row is not written) or a warning (it is, and the user was told)."""

    class Level(models.TextChoices):
        ERROR = "error", _("kesalahan")
        WARNING = "warning", _("peringatan")

    job = models.ForeignKey(ImportJob, models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField(_("baris"))  # as Excel numbers it; 0 = the file
    column = models.CharField(_("kolom"), max_length=40, blank=True)
    level = models.CharField(_("jenis"), max_length=7, choices=Level)
    message = models.CharField(_("pesan"), max_length=500)

    class Meta:
        verbose_name = _("masalah impor")
        verbose_name_plural = _("masalah impor")
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["job", "row"], name="import_issue_row")]

    def __str__(self) -> str:
        return f"{self.row} {self.column}: {self.message}"
