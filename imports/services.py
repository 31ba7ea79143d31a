"""Writes of an import: check a file, then write its valid rows in chunks.

Each chunk is checked and written in one transaction that also moves the counters (through
`participants.counting` / `participants.stages`) and records how far the job got, so a
worker killed mid-way loses at most the chunk it was in, and a rerun continues after the
last committed chunk. A row is keyed by NIK (and NIK + programme for enrolments), so writing
a row again changes nothing: re-importing a file is safe too.
"""

import ctypes
import ctypes.util
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.counting import (
    STATE_FIELDS,
    counts_follow_many,
    counts_gathered,
    state_from_values,
)
from participants.models import Channel, Resident, Stage
from participants.services import duplicate_nik_message, nik_holder, resident_update
from participants.stages import resident_stages_sync
from programs.models import Enrollment
from programs.services import roster_update
from reports.cache import programs_changed

from .copying import rows_insert
from .models import ImportIssue, ImportJob
from .reading import ImportFileError, Table, table_open
from .rows import COLUMNS, RESIDENT_FIELDS, Checker, RowResult, name_key

CHUNK_ROWS = 5000

# glibc's malloc_trim, where there is one (None elsewhere): see _heap_trim.
try:
    _malloc_trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
except (OSError, AttributeError):
    _malloc_trim = None


@dataclass
class Summary:
    """What a file did (or would do, on a dry run)."""

    rows: int = 0
    new: int = 0
    updated: int = 0
    enrollments: int = 0
    unchanged: int = 0
    errors: int = 0
    warnings: int = 0
    empty: int = 0
    notices: list[str] = field(default_factory=list)

    def add(self, results: list[RowResult]) -> None:
        for r in results:
            if r.empty:
                self.empty += 1
                continue
            self.rows += 1
            if r.errors:
                self.errors += 1
                continue
            self.warnings += bool(r.warnings)
            self.new += r.resident_action == "new"
            self.updated += r.resident_action == "update"
            self.enrollments += r.enrollment_action == "new"
            self.unchanged += r.unchanged

    def line(self) -> str:
        return _(
            "%(new)d warga baru, %(updated)d diperbarui, %(enrollments)d pendaftaran "
            "pelatihan, %(unchanged)d tidak berubah, %(errors)d baris bermasalah"
        ) % vars(self)


def _chunks(rows: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(rows, size)):
        yield chunk


def rows_import(
    *,
    table: Table,
    user,
    write: bool,
    today: date | None = None,
    skip_rows: int = 0,
    max_rows: int | None = None,
    before_chunk: Callable[[int], bool] | None = None,
    after_chunk: Callable[[int, list[RowResult], Summary], None] | None = None,
) -> Summary:
    """Check every row of the table (and write the valid ones when write): the engine of
    the command and of the jobs.

    skip_rows: data rows already written by an earlier run (checked again, not written).
    before_chunk: called in each chunk's transaction before it is written; False skips it
    (another worker wrote it). after_chunk(rows done, results, summary): in the same
    transaction, to record progress and issues.
    """
    today = today or timezone.localdate()
    checker = Checker(user=user, columns=table.columns, today=today)
    errors, notices = checker.header_problems()
    if errors:
        raise ImportFileError(" ".join(errors))
    summary = Summary(notices=[*table.notices, *notices])
    done = 0
    for chunk in _chunks(table.rows, CHUNK_ROWS):
        if max_rows is not None and done + len(chunk) > max_rows:
            raise ImportFileError(
                _(
                    "Berkas berisi lebih dari %(max)d baris: terlalu besar untuk impor lewat "
                    "web. Bagi berkasnya, atau minta admin menjalankan perintah "
                    "import_participants."
                )
                % {"max": max_rows}
            )
        if write and done + len(chunk) <= skip_rows:
            checker.check(chunk)  # what the file said before (the same NIK twice)
            done += len(chunk)
            continue
        with transaction.atomic():
            if before_chunk is not None and not before_chunk(done):
                checker.check(chunk)
                done += len(chunk)
                continue
            if write:
                checker.seats = {}  # seats as the database has them now
            results = checker.check(chunk)
            if write:
                _write(results, user=user, today=today)
            summary.add(results)
            done += len(chunk)
            if after_chunk is not None:
                after_chunk(done, results, summary)
        _heap_trim()
    return summary


def _heap_trim() -> None:
    """Give the C heap's free memory back to the system after a chunk.

    Each chunk's query texts and results (psycopg2 and libpq allocate them outside
    Python's allocator) are freed, but the heap they leave is fragmented and glibc keeps it:
    a 1,000,000-row file grew the process ~10 MiB per 100k rows that way, with Python's own
    memory flat (tracemalloc). Trimming costs a few milliseconds a chunk."""
    if _malloc_trim is not None:
        _malloc_trim(0)


# --- Writing one chunk ----------------------------------------------------------------


def _resident_values(result: RowResult, *, user) -> dict:
    """The new resident's row ({attname: value}) from its checked cells."""
    values = {
        name: value
        for name, value in result.data.items()
        if name in RESIDENT_FIELDS and value is not None
    }
    values["village_id"] = values.pop("village").pk
    values.setdefault("kk_number", "")
    values["registered_by_id"] = user.pk
    values["channel"] = Channel.IMPORT
    # What Resident.save() adds: the searchable form of the name.
    values["name_key"] = name_key(values["full_name"])
    return values


def _write(results: list[RowResult], *, user, today: date) -> None:
    """Write the chunk's valid rows (inside the chunk's transaction).

    The counters are moved once for the whole chunk (counts_gathered): a new resident who
    attended is created and reaches Pelatihan in the same chunk, and the two moves add up
    to one increase."""
    with counts_gathered():
        _write_rows(results, user=user, today=today)


def _write_rows(results: list[RowResult], *, user, today: date) -> None:
    ok = [r for r in results if r.ok]
    created = _residents_create(
        [r for r in ok if r.resident_action == "new"], user=user
    )
    for result in ok:
        if result.resident_action == "update":
            try:
                result.resident = resident_update(
                    resident=result.resident, user=user, today=today, **result.changed
                )
            except ValidationError as error:
                _refuse(result, error)
    trained = set()
    new_enrollments = []
    for result in ok:
        if result.errors or result.enrollment_action != "new":
            continue
        resident_id = (
            result.resident.pk
            if result.resident is not None
            else created.get(result.nik)
        )
        if resident_id is None:  # its resident's row was refused while writing
            result.error("nik", _("Data warga di baris ini tidak dapat disimpan."))
            continue
        new_enrollments.append(
            (
                result,
                {
                    "resident_id": resident_id,
                    "program_id": result.program.pk,
                    "enrolled_on": result.enrolled_on,
                    "status": result.status,
                    "enrolled_by_id": user.pk,
                },
            )
        )
    _enrollments_create(new_enrollments, user=user)
    for result, enrollment in new_enrollments:
        if not result.errors and enrollment["status"] in Enrollment.TRAINED:
            trained.add(enrollment["resident_id"])
    for result in ok:
        if result.errors or result.enrollment_action != "update":
            continue
        try:
            with transaction.atomic():
                roster_update(
                    program=result.program,
                    statuses={result.enrollment.pk: result.status},
                    user=user,
                    today=today,
                )
        except ValidationError as error:
            _refuse(result, error, column="status_ikut")
    # The Pelatihan date (and the counters) of residents who attended: the stage rule's.
    resident_stages_sync(resident_ids=trained, stages=[Stage.PELATIHAN])


def _refuse(result: RowResult, error: ValidationError, column: str = "") -> None:
    back = {fields[0]: name for name, fields in COLUMNS.items()}
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            for message in messages:
                result.error(back.get(name, column or name), message)
    else:
        for message in error.messages:
            result.error(column, message)


def _residents_create(results: list[RowResult], *, user) -> dict[str, int]:
    """The new residents (NIK -> id), with their history and counters; NIKs registered
    meanwhile by someone else become row errors (said as the form says them)."""
    rows = [_resident_values(r, user=user) for r in results]
    try:
        with transaction.atomic():
            ids = rows_insert(Resident, rows)
            _history_of_created(Resident, ids, user=user)
    except IntegrityError:
        # A clerk registered one of these NIKs since the check: one at a time, to know which.
        rows, ids = [], []
        for result in results:
            resident = Resident(**_resident_values(result, user=user))
            resident._history_user = user
            try:
                with transaction.atomic():
                    resident.save()
            except IntegrityError:
                existing, visible = nik_holder(nik=resident.nik, user=user)
                result.error(
                    "nik",
                    duplicate_nik_message(existing=existing, visible=visible)
                    if existing
                    else _("Data warga ini tidak dapat disimpan."),
                )
                continue
            rows.append(
                {"nik": resident.nik}
                | {name: getattr(resident, name) for name in STATE_FIELDS}
            )
            ids.append(resident.pk)
    counts_follow_many((None, state_from_values(row)) for row in rows)
    return {row["nik"]: pk for row, pk in zip(rows, ids, strict=True)}


def _enrollments_create(pairs: list[tuple[RowResult, dict]], *, user) -> None:
    if not pairs:
        return
    # bulk_create sends no signal: the public pages' seats left are told here.
    programs_changed(program_ids={values["program_id"] for _r, values in pairs})
    try:
        with transaction.atomic():
            ids = rows_insert(Enrollment, [values for _r, values in pairs])
            _history_of_created(Enrollment, ids, user=user)
    except IntegrityError:
        for result, values in pairs:
            enrollment = Enrollment(
                **{name: value for name, value in values.items() if name != "id"}
            )
            enrollment._history_user = user
            try:
                with transaction.atomic():
                    enrollment.save()
            except IntegrityError:
                result.error(
                    "kode_pelatihan", _("Warga ini sudah terdaftar di pelatihan ini.")
                )


def _history_of_created(model, pks: list[int], *, user) -> None:
    """The change history's "created" rows of rows just inserted, as simple_history writes
    them one save at a time, copied by the database in one INSERT ... SELECT."""
    if not pks:
        return
    if None in pks:  # a database that returns no ids from a bulk insert
        bulk_history = model.history.model.objects.bulk_create
        bulk_history(
            [
                model.history.model(
                    **{
                        f.attname: getattr(obj, f.attname)
                        for f in model.history.model._meta.concrete_fields
                        if not f.name.startswith("history_")
                    },
                    history_date=timezone.now(),
                    history_type="+",
                    history_user=user,
                )
                for obj in model.objects.filter(pk__in=pks)
            ]
        )
        return
    history = model.history.model
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(f.column)
        for f in history._meta.concrete_fields
        if not f.name.startswith("history_")
    )
    marks = ", ".join(["%s"] * len(pks))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} ({columns}, history_date, "  # noqa: S608 (names from the models)
            f"history_change_reason, history_type, history_user_id) "
            f"SELECT {columns}, %s, NULL, '+', %s FROM {quote(model._meta.db_table)} "
            f"WHERE id IN ({marks})",
            [timezone.now(), user.pk, *pks],
        )


# --- Jobs -------------------------------------------------------------------------------


def import_job_create(
    *, user, file_name: str, content: bytes, sheet: str = ""
) -> ImportJob:
    """A new import of an uploaded file, waiting for its check."""
    if len(content) > settings.IMPORT_MAX_BYTES:
        raise ValidationError(
            {
                "file": _(
                    "Berkas %(mb).1f MB, di atas batas %(max)d MB untuk impor lewat web. "
                    "Bagi berkasnya, atau minta admin menjalankan perintah "
                    "import_participants."
                )
                % {
                    "mb": len(content) / 1024 / 1024,
                    "max": settings.IMPORT_MAX_BYTES // (1024 * 1024),
                }
            }
        )
    return ImportJob.objects.create(
        user=user, file_name=Path(file_name).name[:255], sheet=sheet, content=content
    )


def _table_of(job: ImportJob) -> Table:
    return table_open(bytes(job.content), file_name=job.file_name, sheet=job.sheet)


def _issues(job: ImportJob, results: list[RowResult]) -> None:
    ImportIssue.objects.bulk_create(
        [
            ImportIssue(
                job=job, row=r.number, column=column, level=level, message=message[:500]
            )
            for r in results
            for level, issues in (
                (ImportIssue.Level.ERROR, r.errors),
                (ImportIssue.Level.WARNING, r.warnings),
            )
            for column, message in issues
        ]
    )


def _fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED, message=message, finished_at=timezone.now()
    )


def import_check(*, job_id: int) -> None:
    """Check every row of the job's file (nothing written) for the preview."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.CHECKING):
        return
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKING)
    job.issues.all().delete()

    def progress(done, results, summary):
        _issues(job, results)
        ImportJob.objects.filter(pk=job.pk).update(rows_checked=done)

    try:
        summary = rows_import(
            table=_table_of(job),
            user=job.user,
            write=False,
            max_rows=settings.IMPORT_MAX_ROWS,
            after_chunk=progress,
        )
    except ImportFileError as error:
        _fail(job, str(error))
        return
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.CHECKED,
        message="\n".join(summary.notices),
        rows_total=summary.rows + summary.empty,
        rows_checked=summary.rows + summary.empty,
        **_counts(summary),
    )


def _counts(summary: Summary) -> dict:
    return {
        "new_residents": summary.new,
        "updated_residents": summary.updated,
        "new_enrollments": summary.enrollments,
        "unchanged": summary.unchanged,
        "error_rows": summary.errors,
        "warning_rows": summary.warnings,
    }


def import_commit(*, job: ImportJob) -> ImportJob:
    """The user saw the preview and asks for the valid rows to be written."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportJob.Status.CHECKED:
            raise ValidationError(_("Impor ini tidak sedang menunggu disimpan."))
        job.status = ImportJob.Status.WRITING_QUEUED
        job.save(update_fields=["status"])
    return job


def import_write(*, job_id: int) -> None:
    """Write the job's valid rows, chunk by chunk; a rerun continues where it stopped."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status not in (ImportJob.Status.WRITING_QUEUED, ImportJob.Status.WRITING):
        return
    if job.rows_written == 0:
        # The preview's issues give way to what writing finds (the data may have moved).
        with transaction.atomic():
            job.issues.all().delete()
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.WRITING, **_counts(Summary())
            )
    else:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.WRITING)
    locked = {}

    def claim(done: int) -> bool:
        # Lock the job: a second worker on the same job waits, then skips what is written.
        locked["job"] = ImportJob.objects.select_for_update().get(pk=job.pk)
        return locked["job"].rows_written <= done

    def progress(done, results, summary):
        mark = locked["job"]
        _issues(job, results)
        chunk = Summary()
        chunk.add(results)
        for name, value in _counts(chunk).items():
            setattr(mark, name, getattr(mark, name) + value)
        mark.rows_written = done
        mark.save(update_fields=["rows_written", *_counts(chunk)])

    try:
        rows_import(
            table=_table_of(job),
            user=job.user,
            write=True,
            skip_rows=job.rows_written,
            before_chunk=claim,
            after_chunk=progress,
        )
    except ImportFileError as error:
        _fail(job, str(error))
        return
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, finished_at=timezone.now()
    )
