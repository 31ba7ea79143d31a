"""Import speed: a file of new residents with enrolments, end to end, against COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jakpreneur_bench \\
        .venv/bin/python benchmarks/import_speed.py --rows 100000 --fresh
    # Peak memory of checking a 1,000,000-row CSV (nothing written), then of writing it:
    DATABASE_URL=... .venv/bin/python benchmarks/import_speed.py --rows 1000000 --check-only
    DATABASE_URL=... .venv/bin/python benchmarks/import_speed.py --rows 1000000 \\
        --write-once --fresh

Writes a CSV of --rows new residents of Jakarta Barat, each enrolled in one training (half of
them hadir, so they reach Pelatihan), then:
1. COPY: the same rows loaded with PostgreSQL COPY into the same two tables (residents with
   their ids, then enrolments), in a transaction rolled back afterwards: the limit;
2. the import (imports.services.rows_import: read, check, write, counters), timed;
3. the same file imported again (every row unchanged), timed.
Prints rows/s of each, the ratio to COPY, and this process's peak memory. Refuses any
database whose name does not end in "_bench".
"""

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jakpreneur.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
# DEBUG off, as in production: with it on Django keeps the last 9,000 queries in memory
# (each with a chunk's thousand NIKs), which would be counted as the import's memory.
os.environ["DEBUG"] = "0"

from benchmarks.seed_residents import (  # noqa: E402
    bench_name,
    peak_mib,
    prepare_postgres,
    reset_peak,
)

HEADER = [
    "nik",
    "no_kk",
    "nama",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir",
    "no_hp",
    "alamat",
    "rt",
    "rw",
    "kode_kelurahan",
    "tanggal_daftar",
    "pendidikan",
    "kode_pelatihan",
    "tanggal_ikut",
    "status_ikut",
]
PROGRAM_CODE = "JB-PPKUKM-2024-900"


def write_csv(path: Path, *, rows: int, villages: list, first: int = 0) -> None:
    """rows residents numbered from `first` (files with other first numbers hold other
    NIKs, so each round of a benchmark imports new residents)."""
    from participants.identity import nik_build

    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for n in range(first, first + rows):
            village = villages[n % len(villages)]
            born = date(1960 + n % 40, 1 + n % 12, 1 + n % 28)
            gender = "P" if n % 2 else "L"
            # (birth date, gender) repeats every 840 rows: the serial tells those apart.
            nik = nik_build(
                district_code=village.district.code,
                birth_date=born,
                gender=gender,
                serial=1 + (n // 840) % 9999,
            )
            out.writerow(
                [
                    nik,
                    "",
                    f"Warga Impor {n}",
                    gender,
                    "Jakarta",
                    born.isoformat(),
                    f"0812{n:08d}",
                    f"Jl. Uji No. {n % 300}",
                    str(1 + n % 20),
                    str(1 + n % 10),
                    village.code,
                    "2024-02-01",
                    "sma",
                    PROGRAM_CODE,
                    "2024-03-01",
                    "hadir" if n % 2 else "terdaftar",
                ]
            )


def copy_limit(path: Path, *, program, user) -> float:
    """Seconds to COPY the file's rows into the residents and enrolments tables."""
    from django.db import connection, transaction
    from django.utils import timezone

    from participants.identity import name_normalize
    from participants.models import Resident
    from programs.models import Enrollment
    from wilayah.models import Village

    village_ids = dict(Village.objects.values_list("code", "pk"))
    now = timezone.now().isoformat()
    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COALESCE(MAX(id), 0) FROM {Resident._meta.db_table}"  # noqa: S608
            )
            next_id = cursor.fetchone()[0] + 1
            residents, enrollments = io.StringIO(), io.StringIO()
            res_out, enr_out = csv.writer(residents), csv.writer(enrollments)
            with path.open(newline="", encoding="utf-8") as handle:
                reader = csv.reader(handle)
                next(reader)
                for n, row in enumerate(reader):
                    pk = next_id + n
                    res_out.writerow(
                        [pk, row[0], row[1], row[2], name_normalize(row[2]), row[3]]
                        + [row[4], row[5], "+62" + row[6][1:], "", row[7]]
                        + [row[8].zfill(3), row[9].zfill(3), village_ids[row[10]]]
                        + ["sma", "f", "f", "f", "f", "", "", row[11], user.pk]
                        + ["f", "", now, now, ""]
                    )
                    status = "attended" if row[15] == "hadir" else "enrolled"
                    enr_out.writerow([pk, program.pk, row[14], status, user.pk, now])
            columns = (
                "id, nik, kk_number, full_name, name_key, gender, birth_place, "
                "birth_date, phone, email, address, rt, rw, village_id, education, "
                "is_job_seeker, is_low_income, has_disability, has_business, "
                "business_name, business_sector, registered_on, registered_by_id, "
                "is_void, void_reason, created_at, updated_at, trained_category"
            )
            residents.seek(0)
            cursor.cursor.copy_expert(
                f"COPY {Resident._meta.db_table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
                residents,
            )
            enrollments.seek(0)
            cursor.cursor.copy_expert(
                f"COPY {Enrollment._meta.db_table} (resident_id, program_id, "
                "enrolled_on, status, enrolled_by_id, updated_at) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
                enrollments,
            )
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--fresh", action="store_true", help="drop and recreate the database"
    )
    parser.add_argument(
        "--check-only",
        action="store_true",
        help="only check the file (dry run): peak memory of reading and checking",
    )
    parser.add_argument(
        "--write-once",
        action="store_true",
        help="only import the file once, writing it (no COPY, no re-import): peak memory "
        "of a full write of a large file",
    )
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    settings_dict = settings.DATABASES["default"]
    name = bench_name(settings_dict)
    if not name.endswith("_bench"):
        print(f"Refusing: database {name!r} does not end in '_bench'.", file=sys.stderr)
        return 2
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        prepare_postgres(settings_dict, fresh=args.fresh)
    call_command("migrate", verbosity=0)

    from django.contrib.auth import get_user_model

    from accounts.models import Role, StaffProfile
    from imports.reading import table_open
    from imports.services import rows_import
    from programs.models import Agency, Program
    from programs.services import agencies_load_standard
    from wilayah.models import District, Village
    from wilayah.services import wilayah_import, wilayah_read_csv

    User = get_user_model()
    if not Village.objects.exists():
        wilayah_import(rows=wilayah_read_csv())
    agencies_load_standard()
    user = User.objects.filter(username="bench.import").first()
    if user is None:
        user = User.objects.create_user(
            "bench.import", is_staff=True, is_superuser=True
        )
        StaffProfile.objects.create(user=user, role=Role.ADMIN)
    program, _created = Program.objects.get_or_create(
        code=PROGRAM_CODE,
        defaults={
            "title": "Pelatihan Impor",
            "category": "makanan",
            "agency": Agency.objects.get(city__code="31.73", short_name="PPKUKM"),
            "district": District.objects.get(code="31.73.08"),
            "venue": "Aula",
            "start_date": date(2024, 3, 1),
            "end_date": date(2024, 12, 31),
            "capacity": 10_000_000,
            "status": Program.Status.RUNNING,
        },
    )
    villages = list(
        Village.objects.select_related("district").filter(district__city__code="31.73")
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "impor.csv"
        write_csv(path, rows=args.rows, villages=villages)
        size = path.stat().st_size / 1024 / 1024
        print(
            f"file          {args.rows:>12,} rows, {size:.1f} MiB ({connection.vendor})"
        )

        if args.check_only:
            reset_peak()
            started = time.perf_counter()
            summary = rows_import(
                table=table_open(path, file_name=path.name), user=user, write=False
            )
            seconds = time.perf_counter() - started
            print(
                f"check only    {seconds:>12.1f} s, {args.rows / seconds:,.0f} rows/s"
            )
            print(f"              {summary.line()}")
            print(f"peak memory   {peak_mib():>12,.0f} MiB (this process)")
            return 0

        copy_seconds = None
        if connection.vendor == "postgresql" and not args.write_once:
            copy_seconds = copy_limit(path, program=program, user=user)
            print(
                f"COPY          {copy_seconds:>12.1f} s, "
                f"{args.rows / copy_seconds:,.0f} rows/s (the limit)"
            )
        for label in ("import",) if args.write_once else ("import", "re-import"):
            reset_peak()
            started = time.perf_counter()
            summary = rows_import(
                table=table_open(path, file_name=path.name), user=user, write=True
            )
            seconds = time.perf_counter() - started
            ratio = (
                f", {seconds / copy_seconds:.1f}× COPY's time" if copy_seconds else ""
            )
            print(
                f"{label:<13} {seconds:>12.1f} s, {args.rows / seconds:,.0f} rows/s{ratio}"
            )
            print(f"              {summary.line()}")
            print(f"peak memory   {peak_mib():>12,.0f} MiB (this process)")
        from participants.counting import stage_counts_differences

        differences = stage_counts_differences()
        print(
            f"counters      {'equal to a recount' if not differences else differences[:5]}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
