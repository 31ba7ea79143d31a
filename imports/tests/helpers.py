"""Building the city's sheets in tests."""

import csv
import io
from datetime import date
from unittest.mock import patch

from django.conf import settings
from django.core.management import call_command
from openpyxl import Workbook

from imports.rows import COLUMNS
from participants.identity import nik_build

# Every column the import reads, in the template's order.
HEADER = list(COLUMNS)


def nik(serial: int, *, born=date(1990, 8, 5), gender="P", district="31.73.08") -> str:
    return nik_build(
        district_code=district, birth_date=born, gender=gender, serial=serial
    )


def row(serial: int = 1, **overrides) -> dict:
    """A valid row: a woman of Joglo (Kembangan), registered 1 March 2025."""
    values = {
        "nik": nik(serial),
        "no_kk": "3173080101900001",
        "nama": f"Siti Warga {serial}",
        "jenis_kelamin": "P",
        "tempat_lahir": "Jakarta",
        "tanggal_lahir": "1990-08-05",
        "no_hp": "0812-3456-7890",
        "alamat": "Jl. Joglo Raya No. 5",
        "rt": "5",
        "rw": "2",
        "kode_kelurahan": "31.73.08.1005",
        "tanggal_daftar": "2025-03-01",
        "kode_pelatihan": "",
        "tanggal_ikut": "",
        "status_ikut": "",
        "pendidikan": "sma",
    }
    values.update(overrides)
    return values


def csv_bytes(
    rows, *, header=HEADER, delimiter=",", encoding="utf-8", bom=False
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for values in rows:
        writer.writerow(
            [values.get(name, "") for name in header]
            if isinstance(values, dict)
            else values
        )
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows, *, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append(
            [values.get(name, "") for name in header]
            if isinstance(values, dict)
            else values
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run_worker():
    """Run every queued job in this process, then return (as a worker would)."""
    if settings.TASKS_BACKEND == "rq":
        import django_rq
        from rq import SimpleWorker

        queue = django_rq.get_queue(settings.TASKS_QUEUE)
        worker = SimpleWorker([queue], connection=queue.connection)
        from django_tasks_rq import Job

        worker.job_class = Job
        worker.work(burst=True)
    else:
        from django_tasks_db.management.commands import db_worker

        # The worker closes "old" connections between tasks, and inside a test's
        # transaction every connection looks old: keep it (the test's data lives in it).
        with patch.object(db_worker, "close_old_connections", lambda: None):
            call_command(
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--queue-name",
                settings.TASKS_QUEUE,
                verbosity=0,
            )
