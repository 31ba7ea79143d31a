"""Writes of an export: create the job, build its file in parts, log a download, purge.

The file is built from scratch by every run (a worker killed mid-way leaves a run's parts
behind; the next run counts `attempt` up, writes its own parts and deletes the others), so
a rerun needs no bookkeeping of how far the last one got. Rows are read with the list's own
selector as the job's user, and NIKs are shown in full only while the access policy says so.
"""

import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import may_list_residents, may_reveal_nik
from participants.exports import csv_lines, resident_rows, resident_workbook
from participants.forms import resident_filter_form
from participants.models import AccessLog
from participants.selectors import residents_filtered
from participants.services import access_log_write

from .models import ExportJob, ExportPart

PART_BYTES = 1024 * 1024
PROGRESS_ROWS = 2000


class ExportRefused(Exception):
    """The job may not (or no longer) be built or downloaded: the message says why."""


@transaction.atomic
def export_job_create(*, user, fmt: str, filters: dict, unmasked: bool) -> ExportJob:
    """A queued export of the list with these (validated) filters."""
    job = ExportJob(user=user, format=fmt, filters=filters, unmasked=unmasked)
    job.full_clean()
    job.save()
    return job


@transaction.atomic
def export_requeue(*, job: ExportJob) -> ExportJob:
    """Queue a job again (its worker was killed, or it failed): it is built from scratch."""
    job = ExportJob.objects.select_for_update().get(pk=job.pk)
    if job.status == ExportJob.Status.EXPIRED:
        raise ExportRefused(_("Berkas ekspor ini sudah dihapus; buat ekspor baru."))
    if job.status == ExportJob.Status.DONE:
        return job
    job.status = ExportJob.Status.QUEUED
    job.message = ""
    job.save(update_fields=["status", "message"])
    return job


def _fail(job_id: int, message: str) -> None:
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.FAILED, message=message, finished_at=timezone.now()
    )


class _Parts:
    """A binary file-like that stores what is written as ExportParts of about PART_BYTES
    (each in its own transaction, with the job's progress): flat memory at any size."""

    def __init__(self, job: ExportJob, attempt: int):
        self.job, self.attempt = job, attempt
        self.buffer = bytearray()
        self.number = 0
        self.size = 0
        self.rows = 0

    def write(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) >= PART_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        with transaction.atomic():
            if not _still_mine(self.job.pk, self.attempt):
                raise _Superseded
            ExportPart.objects.create(
                job_id=self.job.pk,
                attempt=self.attempt,
                number=self.number,
                data=bytes(self.buffer),
            )
            self.number += 1
            self.size += len(self.buffer)
            self.buffer.clear()
            self.progress()

    def progress(self) -> None:
        ExportJob.objects.filter(pk=self.job.pk, attempt=self.attempt).update(
            rows_written=self.rows
        )

    def counted(self, rows: Iterable[list]) -> Iterator[list]:
        """Pass rows through, keeping count (and the page's progress bar) as they go."""
        for row in rows:
            self.rows += 1
            if self.rows % PROGRESS_ROWS == 0:
                self.progress()
            yield row


class _Superseded(Exception):
    """A newer run of the same job took over: this one stops quietly."""


def _still_mine(job_id: int, attempt: int) -> bool:
    return ExportJob.objects.filter(
        pk=job_id, attempt=attempt, status=ExportJob.Status.RUNNING
    ).exists()


def _start(job_id: int) -> tuple[ExportJob, int] | None:
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job_id)
        if job.status not in ExportJob.BUSY:
            return None  # done, failed or purged: nothing to do
        job.attempt += 1
        job.status = ExportJob.Status.RUNNING
        job.rows_written = job.size = 0
        job.save(update_fields=["attempt", "status", "rows_written", "size"])
    return job, job.attempt


def export_build(*, job_id: int) -> None:
    """Build the job's file from scratch (a rerun after a killed worker does the same)."""
    started = _start(job_id)
    if started is None:
        return
    job, attempt = started
    user = job.user
    # The access policy again, as it stands now: the role may have changed since.
    if not may_list_residents(user):
        _fail(job.pk, _("Anda tidak lagi berhak mengekspor daftar warga."))
        return
    unmasked = job.unmasked and may_reveal_nik(user)
    form = resident_filter_form(user=user, data=job.filters)
    if job.filters and not form.is_valid():
        _fail(
            job.pk,
            _(
                "Filter ekspor ini tidak lagi berlaku untuk wilayah Anda; buka daftar "
                "warga dan ekspor lagi."
            ),
        )
        return
    residents = residents_filtered(
        user=user, params=form.cleaned_data if job.filters else {}
    )
    ExportJob.objects.filter(pk=job.pk, attempt=attempt).update(
        unmasked=unmasked, rows_total=residents.order_by().count()
    )
    # Parts of earlier runs (a killed worker's) go: this run writes the whole file.
    ExportPart.objects.filter(job_id=job.pk).exclude(attempt=attempt).delete()
    parts = _Parts(job, attempt)
    try:
        if job.format == ExportJob.Format.CSV:
            _csv_write(parts, residents, unmasked=unmasked)
        else:
            _xlsx_write(parts, residents, unmasked=unmasked)
        parts.flush()
    except _Superseded:
        return
    with transaction.atomic():
        if not ExportJob.objects.filter(
            pk=job.pk, attempt=attempt, status=ExportJob.Status.RUNNING
        ).update(
            status=ExportJob.Status.DONE,
            rows_written=parts.rows,
            rows_total=parts.rows,
            size=parts.size,
            finished_at=timezone.now(),
        ):
            return  # a newer run took over
        ExportPart.objects.filter(job_id=job.pk).exclude(attempt=attempt).delete()


def _csv_write(parts: _Parts, residents, *, unmasked: bool) -> None:
    # csv_lines reads the rows itself; count them as its lines pass (BOM and header first).
    lines = csv_lines(residents, unmasked=unmasked)
    for number, line in enumerate(lines):
        if number >= 2:
            parts.rows += 1
            if parts.rows % PROGRESS_ROWS == 0:
                parts.progress()
        parts.write(line.encode("utf-8"))


def _xlsx_write(parts: _Parts, residents, *, unmasked: bool) -> None:
    # openpyxl's write-only workbook keeps its rows in a temporary file; the finished zip
    # goes to another temporary file, then into the parts a megabyte at a time.
    rows = parts.counted(resident_rows(residents, unmasked=unmasked))
    workbook = resident_workbook(rows, unmasked=unmasked)
    with tempfile.TemporaryFile() as out:
        workbook.save(out)
        out.seek(0)
        while data := out.read(PART_BYTES):
            parts.write(data)


# --- Downloading -------------------------------------------------------------------------


def export_expired(job: ExportJob, *, now: datetime | None = None) -> bool:
    """Whether the file is gone, or past the time it is kept (purged or not yet)."""
    if job.status == ExportJob.Status.EXPIRED:
        return True
    kept_until = job.kept_until
    return (
        job.status == ExportJob.Status.DONE
        and kept_until is not None
        and kept_until <= (now or timezone.now())
    )


@transaction.atomic
def export_download_log(*, job: ExportJob, user) -> None:
    """Check the policy as it stands now and log the list leaving the app (each download)."""
    if not may_list_residents(user):
        raise ExportRefused(_("Anda tidak lagi berhak mengunduh daftar warga."))
    if job.unmasked and not may_reveal_nik(user):
        raise ExportRefused(
            _(
                "Berkas ini berisi NIK lengkap, yang tidak lagi boleh Anda lihat; buat "
                "ekspor baru (NIK akan disamarkan)."
            )
        )
    access_log_write(
        user=user,
        action=AccessLog.Action.EXPORT_LIST,
        detail=(
            f"{job.format.upper()} {'NIK lengkap' if job.unmasked else 'NIK tersamar'} "
            f"ekspor #{job.pk} {_filters_text(job.filters)}"
        )[:500],
    )


def _filters_text(filters: dict) -> str:
    return "&".join(f"{name}={value}" for name, value in sorted(filters.items()))


def export_chunks(*, job: ExportJob) -> Iterator[bytes]:
    """The file's bytes, one part (one query) at a time."""
    numbers = list(
        ExportPart.objects.filter(job_id=job.pk, attempt=job.attempt)
        .order_by("number")
        .values_list("pk", flat=True)
    )
    for pk in numbers:
        data = ExportPart.objects.filter(pk=pk).values_list("data", flat=True).first()
        if data is not None:
            yield bytes(data)


# --- Purging -----------------------------------------------------------------------------


def exports_purge(*, now: datetime | None = None, dry_run: bool = False) -> int:
    """Delete the files of exports older than EXPORT_KEEP_HOURS (finished, failed or
    stuck): they hold personal data. Returns how many jobs lost their file."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.EXPORT_KEEP_HOURS)
    old = ExportJob.objects.filter(
        Q(status=ExportJob.Status.DONE, finished_at__lte=cutoff)
        | Q(status=ExportJob.Status.FAILED, created_at__lte=cutoff, parts__isnull=False)
        | Q(status__in=ExportJob.BUSY, created_at__lte=cutoff)
    ).distinct()
    ids = list(old.values_list("pk", flat=True))
    if dry_run or not ids:
        return len(ids)
    with transaction.atomic():
        ExportPart.objects.filter(job_id__in=ids).delete()
        ExportJob.objects.filter(pk__in=ids, status=ExportJob.Status.DONE).update(
            status=ExportJob.Status.EXPIRED, size=0
        )
        ExportJob.objects.filter(pk__in=ids, status__in=ExportJob.BUSY).update(
            status=ExportJob.Status.FAILED,
            message=_("Ekspor ini tidak selesai dalam %(hours)d jam dan dihentikan.")
            % {"hours": settings.EXPORT_KEEP_HOURS},
        )
    return len(ids)
