"""Time the demo seed of one kota (residents, trainings, enrolments) at scale on a throwaway database.

One load as seed_demo makes it (demo.kota.demo_kota_load): rows written once with their
stage dates, counters rebuilt once (demo.bulk.counted_rebuild), each index built once, the
tables analyzed; the seconds of each part (--details: of each step inside them too).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jakpreneur_bench \\
        .venv/bin/python benchmarks/seed_residents.py --residents 1600000 --fresh
    DATABASE_URL=... .venv/bin/python benchmarks/seed_residents.py --residents 200000 \\
        --fresh --today 2025-11-01 --fingerprint  # the same hash before and after a change
    DATABASE_URL=... .venv/bin/python benchmarks/seed_residents.py --residents 1600000 \\
        --fresh --details  # also the steps inside each part (each index, ...)
    DATABASE_URL=sqlite:////tmp/jakpreneur_bench.sqlite3 \\
        .venv/bin/python benchmarks/seed_residents.py --residents 100000 --fresh

The database is created and migrated if needed; --fresh drops and recreates it first. The
script refuses any database whose name (SQLite: file name without extension) does not end
in "_bench", so it cannot be pointed at real data by mistake.
"""

import argparse
import contextlib
import os
import resource
import sys
import time
from datetime import date
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jakpreneur.settings")
# DEBUG stays off (production-like); the settings then want a key of their own.
os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
os.environ["DEBUG"] = "1"


def bench_name(settings_dict: dict) -> str:
    """The database's name as the _bench check sees it."""
    name = str(settings_dict["NAME"])
    if "sqlite" in settings_dict["ENGINE"]:
        return Path(name).stem
    return name


def prepare_postgres(settings_dict: dict, *, fresh: bool) -> None:
    """Create the database (dropping it first if fresh), via the server's postgres database."""
    import psycopg2
    from psycopg2 import sql

    params = {
        "dbname": "postgres",
        "user": settings_dict["USER"] or None,
        "password": settings_dict["PASSWORD"] or None,
        "host": settings_dict["HOST"] or None,
        "port": settings_dict["PORT"] or None,
    }
    name = settings_dict["NAME"]
    admin = psycopg2.connect(**{k: v for k, v in params.items() if v is not None})
    admin.autocommit = True
    with admin.cursor() as cursor:
        if fresh:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def peak_mib() -> float:
    """This process's peak resident memory (VmHWM) since the last reset_peak, in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def reset_peak() -> None:
    """Start peak_mib afresh (Linux); elsewhere it stays the peak of the whole run."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def load_average() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def fingerprint() -> str:
    """One hash of the rows the load made: residents (stage dates included), stage records,
    trainings, enrolments and both counter tables, in a fixed order."""
    import hashlib

    from django.db import connection

    from participants.models import BreakdownCount, Resident, StageCount, StageRecord
    from programs.models import Enrollment, Program

    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for model in (Resident, StageRecord, Program, Enrollment):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(
                f"SELECT md5(string_agg(md5(t::text), '' ORDER BY t.id)) FROM {table} t"  # noqa: S608
            )
            digest.update(str(cursor.fetchone()[0]).encode())
        for model in (StageCount, BreakdownCount):
            table = connection.ops.quote_name(model._meta.db_table)
            columns = [
                f.column for f in model._meta.concrete_fields if f.column != "id"
            ]
            row = "(" + ", ".join(f"t.{c}" for c in columns) + ")::text"
            cursor.execute(
                f"SELECT md5(string_agg({row}, ',' ORDER BY {row})) FROM {table} t"  # noqa: S608
            )
            digest.update(str(cursor.fetchone()[0]).encode())
    return digest.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument(
        "--city", default="31.73", help="kota code (default Jakarta Barat)"
    )
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    parser.add_argument(
        "--fresh", action="store_true", help="drop and recreate the database"
    )
    parser.add_argument(
        "--fingerprint",
        action="store_true",
        help="print a hash of every row the load made (compare two versions; "
        "give --today so that no timestamp is clipped to now)",
    )
    parser.add_argument(
        "--details",
        action="store_true",
        help="also print the steps inside the parts (each index and constraint, the "
        "counter rebuild's query and inserts, the residents' rows and COPY)",
    )
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    settings_dict = settings.DATABASES["default"]
    name = bench_name(settings_dict)
    if not name.endswith("_bench"):
        print(
            f"Refusing: database {name!r} does not end in '_bench'. "
            "Set DATABASE_URL to a throwaway database such as .../jakpreneur_bench.",
            file=sys.stderr,
        )
        return 2

    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        prepare_postgres(settings_dict, fresh=args.fresh)
    elif args.fresh:
        Path(settings_dict["NAME"]).unlink(missing_ok=True)

    from demo.bulk import Phases
    from demo.kota import demo_kota_load
    from programs.services import agencies_load_standard
    from wilayah.services import wilayah_import, wilayah_read_csv

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(wilayah_import(rows=wilayah_read_csv()).summary())
    print(agencies_load_standard().summary())
    print(
        f"Set-up: {time.perf_counter() - started:.1f} s ({connection.vendor}, {name})"
    )

    reset_peak()
    print(f"load average before {load_average()}", flush=True)
    phases = Phases()
    started = time.perf_counter()
    cpu = time.process_time()
    [result], [programs] = demo_kota_load(
        residents={args.city: args.residents},
        programs=[args.city],
        seed=args.seed,
        today=args.today,
        phases=phases,
    )
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    print(f"load average after  {load_average()}")
    print(result.summary())
    print(programs.summary())
    print(f"residents      {result.residents:>12,}")
    print(f"stage records  {result.stage_records:>12,}")
    for stage, count in result.per_stage.items():
        share = count / result.residents if result.residents else 0
        print(f"  {stage:<20} {count:>10,}  {share:6.1%}")
    print(f"voided         {result.voided:>12,}")
    print(f"programmes     {programs.programs:>12,}")
    print(f"enrolments     {programs.enrollments:>12,}")
    for status, count in sorted(programs.per_enrollment_status.items()):
        print(f"  {status:<20} {count:>10,}")
    share = programs.trained / programs.residents if programs.residents else 0
    print(f"trained        {programs.trained:>12,}  {share:6.1%} of residents")
    print(f"counters       {programs.counters:>12,}")
    print("seconds by part of the load")
    for phase, spent in phases.items():
        print(f"  {phase:<40} {spent:8.1f}")
    rest = seconds - sum(phases.values())
    print(f"  {'the rest (lock, drops, NIKs, commit)':<40} {rest:8.1f}")
    if args.details:
        print("steps inside the parts (--details)")
        for step, spent in phases.details.items():
            print(f"  {step:<64} {spent:8.1f}")
    print(f"whole load     {seconds:>12.1f} s  (this process's CPU {cpu:.1f} s)")
    print(
        f"peak memory    {peak_mib():>12,.0f} MiB (this process; the database server not included)"
    )
    if args.fingerprint:
        print(f"fingerprint    {fingerprint()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
