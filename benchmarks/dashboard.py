"""Time every report page and export against the best raw SQL count, in alternating rounds.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jakpreneur_dash_bench \\
        .venv/bin/python benchmarks/dashboard.py --fresh --seed-jb 1600000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jakpreneur_dash_bench \\
        .venv/bin/python benchmarks/dashboard.py --seed-others 7200000
    DATABASE_URL=sqlite:////tmp/jakpreneur_dash_bench.sqlite3 \\
        .venv/bin/python benchmarks/dashboard.py --fresh --seed-jb 1600000

--seed-jb N seeds N Jakarta Barat residents with trainings and enrolments (as seed_demo does,
only while the kota has none); --seed-others N spreads N residents over the other five kota
in proportion to their kecamatan. Each is one load (demo.kota.demo_kota_load: indexes built
once, the stage dates and StageCount counters rebuilt once after all its rows); both then, on
PostgreSQL, run VACUUM (ANALYZE).
--seed-applications N adds N online applications of Jakarta Barat (mostly handled, 2 % waiting),
so that the desks' queue count is timed against a long history.
--fresh drops and recreates the database first. The script refuses any database whose name
(SQLite: file name without extension) does not end in "_bench".

Then, logged in as a pimpinan of Jakarta Barat, it picks the fastest of a few raw SQL queries
counting the same per-kecamatan, per-semester figures from the residents table (the anchor),
and times the dashboard, a kecamatan drill-down, the breakdowns page, the print page and the
CSV, XLSX and JSON exports in alternating rounds with the anchor (the machine is shared:
ratios from the same round count, not absolute times). The desks' and the Sudin's home pages
(and a desk's queue count alone) are timed in the same rounds. It prints min and median of
each, the ratios to the dashboard and to the anchor, SQL queries per request and the load
average.
--results FILE keeps the figures (one JSON line per run) and compares each request with an
earlier run on fewer residents (the "does not grow with the data" check).
"""

import argparse
import contextlib
import cProfile
import csv
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jakpreneur.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# DEBUG stays off (production-like timings), so the settings need a key of their own.
os.environ.setdefault("SECRET_KEY", "not-secret-only-for-benchmarks")

RUNS = 10
ROUNDS = 7
SEED = 2022
CITY = "31.73"  # Jakarta Barat
OTHER_CITIES = ["31.71", "31.72", "31.74", "31.75", "31.01"]
# Every report page and export, as the Sekretaris Kota of Jakarta Barat opens them.
REPORT_URLS = {
    "dashboard": f"/laporan/?kota={CITY}",
    "kecamatan": f"/laporan/kecamatan/31.73.08/?kota={CITY}",
    "rincian": f"/laporan/rincian/?kota={CITY}",
    "cetak": f"/laporan/cetak/?kota={CITY}",
    "csv": f"/laporan/capaian.csv?kota={CITY}",
    "xlsx": f"/laporan/capaian.xlsx?kota={CITY}",
    "json": f"/laporan/capaian.json?kota={CITY}",
}
# Each desk's home page, as its staff member opens it: (role, scope) of the account.
HOME_URLS = {
    "home kelurahan": ("/beranda/kelurahan/", "kelurahan", "31.73.08.1005"),
    "home kecamatan": ("/beranda/kecamatan/", "kecamatan", "31.73.08"),
    "home sudin": ("/beranda/sudin/", "sudin", "31.73:PPKUKM"),
}


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


def prepare_sqlite(settings_dict: dict, *, fresh: bool) -> None:
    if fresh:
        path = Path(settings_dict["NAME"])
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextlib.contextmanager
def timed(label: str):
    started = time.perf_counter()
    yield
    print(f"  {label:<40} {time.perf_counter() - started:8.1f} s", flush=True)


# --- Seeding ---------------------------------------------------------------------------


def seed_jakarta_barat(count: int) -> None:
    from demo.accounts import demo_places_and_agencies
    from demo.kota import demo_kota_load
    from demo.targets import demo_periods

    print(f"Seeding Jakarta Barat: {count:,} residents", flush=True)
    with timed("places and Sudin"):
        for line in demo_places_and_agencies():
            print(f"    {line}")
    with timed("residents, programmes and enrolments (demo_kota_load)"):
        [people], [trainings] = demo_kota_load(
            residents={CITY: count}, programs=[CITY], seed=SEED
        )
        print(f"    {people.summary()}")
        print(f"    {trainings.summary()}")
    with timed("target periods (demo_periods)"):
        print(f"    {demo_periods()} new periods")
    with timed("outreach activities (demo_outreach)"):  # issue 13: the outreach panel
        from demo.outreach import demo_outreach

        print(f"    {demo_outreach(seed=SEED, city_code=CITY)} new activities")


def seed_applications(count: int) -> None:
    """N online applications of Jakarta Barat as years of use leave them: most accepted
    (each pointing at a resident), 8 % rejected, 2 % still waiting (some over 14 days), so
    that a desk's queue count reads past the handled ones if its index does not serve it."""
    import random
    from datetime import timedelta

    from django.utils import timezone

    from applications.models import NOTICE_VERSION, Application, code_generate
    from participants.models import Resident

    print(f"Seeding {count:,} online applications of Jakarta Barat", flush=True)
    rng = random.Random(SEED)  # noqa: S311 - a demo mix, not secrets
    now = timezone.now()
    residents = (
        Resident.objects.filter(village__district__city__code=CITY)
        .order_by("pk")
        .values_list("pk", "village_id", "nik", "full_name", "gender", "birth_date")
    )
    batch = []
    with timed("applications (bulk_create)"):
        for n, (pk, village_id, nik, name, gender, born) in enumerate(
            residents[:count]
        ):
            roll = rng.random()
            status = (
                Application.Status.RECEIVED
                if roll < 0.02
                else Application.Status.REJECTED
                if roll < 0.10
                else Application.Status.ACCEPTED
            )
            waiting = status == Application.Status.RECEIVED
            applied = now - timedelta(days=rng.randint(0, 30 if waiting else 730))
            batch.append(
                Application(
                    code=code_generate(),
                    nik=nik,
                    full_name=name,
                    gender=gender,
                    birth_date=born,
                    phone="+6281200000000",
                    village_id=village_id,
                    address="Jl. Uji Beban",
                    consent_at=applied,
                    consent_version=NOTICE_VERSION,
                    applied_at=applied,
                    status=status,
                    reason="" if status != Application.Status.REJECTED else "uji",
                    handled_at=None if waiting else applied + timedelta(days=3),
                    resident_id=pk if status == Application.Status.ACCEPTED else None,
                )
            )
            if len(batch) == 5000 or n == count - 1:
                Application.objects.bulk_create(batch)
                batch = []


def seed_other_cities(count: int) -> None:
    from demo.accounts import demo_places_and_agencies
    from demo.kota import demo_kota_load
    from demo.targets import demo_periods
    from wilayah.models import District

    demo_places_and_agencies()
    districts = {
        code: District.objects.filter(city__code=code).count() for code in OTHER_CITIES
    }
    total = sum(districts.values())
    print(
        f"Seeding the other kota: {count:,} residents over {total} kecamatan",
        flush=True,
    )
    shares, given = {}, 0
    for n, (code, kecamatan) in enumerate(districts.items()):
        shares[code] = (
            count - given
            if n == len(districts) - 1
            else round(count * kecamatan / total)
        )
        given += shares[code]
    # One load for all five: each index is built once, not once per kota.
    with timed(f"residents of {len(shares)} kota in one load (demo_kota_load)"):
        people, _trainings = demo_kota_load(residents=shares, seed=SEED)
        for result in people:
            print(f"    {result.city_name}: {result.summary()}")
    with timed("target periods (demo_periods)"):
        print(f"    {demo_periods()} new periods")


def analyze() -> None:
    """VACUUM (ANALYZE): fresh statistics, and the dead rows that demo_programs' updates
    leave vacuumed now rather than by autovacuum in the middle of a measurement."""
    from django.db import connection

    with timed("VACUUM (ANALYZE)"), connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


# --- Measuring -------------------------------------------------------------------------


def median_ms(
    call, runs: int = RUNS, give_up_ms: float | None = None
) -> tuple[float, float, float]:
    """(median, min, median CPU of this process) milliseconds of `runs` calls after one
    warm-up call; only the warm-up time if the warm-up alone took longer than give_up_ms.
    The CPU figure leaves out waiting (the database server, other processes' load)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    call()
    warm_up = (time.perf_counter() - started) * 1000
    if give_up_ms is not None and warm_up > give_up_ms:
        return warm_up, warm_up, (time.process_time() - cpu_started) * 1000
    times, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    return statistics.median(times), min(times), statistics.median(cpu)


def fetch(client, url: str):
    response = client.get(url)
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: status {response.status_code}")
    return body


def queries_of(call) -> list[tuple[float, str]]:
    """(milliseconds, sql) of every query one call makes (request_started resets
    connection.queries, so an execute wrapper counts instead)."""
    from django.db import connection

    queries = []

    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(record):
        call()
    return queries


def raw_queries(*, vendor: str, city_id: int, village_ids: list[int], period):
    """Formulations of one raw query: (district_id, semester index, count) for the period's
    stage, non-void residents dated within the period, the kota's kecamatan."""
    from django.db import connection

    from participants.models import STAGE_DATE_FIELDS, Resident
    from wilayah.models import District, Village

    quote = connection.ops.quote_name
    resident = quote(Resident._meta.db_table)
    village = quote(Village._meta.db_table)
    district = quote(District._meta.db_table)
    day = quote(STAGE_DATE_FIELDS[period.stage])
    start = period.first_semester.start.isoformat()
    end = period.last_semester.end.isoformat()
    villages = ", ".join(str(int(pk)) for pk in village_ids)

    if vendor == "postgresql":
        semester_exprs = {
            "extract": (
                f"(EXTRACT(YEAR FROM r.{day})::int * 2"
                f" + CASE WHEN EXTRACT(MONTH FROM r.{day}) > 6 THEN 1 ELSE 0 END)"
            ),
        }
        false = "false"
    else:
        semester_exprs = {
            "strftime": (
                f"(CAST(strftime('%%Y', r.{day}) AS INTEGER) * 2"
                f" + (CAST(strftime('%%m', r.{day}) AS INTEGER) > 6))"
            ),
            "substr": (
                f"(CAST(substr(r.{day}, 1, 4) AS INTEGER) * 2"
                f" + (substr(r.{day}, 6, 2) > '06'))"
            ),
        }
        false = "0"
    where = f"r.is_void = {false} AND r.{day} >= %s AND r.{day} <= %s"
    formulations = {}
    for label, semester in semester_exprs.items():
        formulations[f"per village first, then kecamatan, {label}"] = (
            "SELECT v.district_id, g.sem, SUM(g.n) FROM ("  # noqa: S608
            f"SELECT r.village_id, {semester} AS sem, COUNT(*) AS n "
            f"FROM {resident} r WHERE r.village_id IN ({villages}) AND {where} "
            "GROUP BY r.village_id, sem"
            f") g JOIN {village} v ON v.id = g.village_id "
            "GROUP BY v.district_id, g.sem",
            [start, end],
        )
        formulations[f"join village+district, city filter, {label}"] = (
            f"SELECT v.district_id, {semester} AS sem, COUNT(*) "  # noqa: S608
            f"FROM {resident} r JOIN {village} v ON v.id = r.village_id "
            f"JOIN {district} d ON d.id = v.district_id "
            f"WHERE d.city_id = %s AND {where} "
            "GROUP BY v.district_id, sem",
            [city_id, start, end],
        )
        formulations[f"village_id IN (list) + join village, {label}"] = (
            f"SELECT v.district_id, {semester} AS sem, COUNT(*) "  # noqa: S608
            f"FROM {resident} r JOIN {village} v ON v.id = r.village_id "
            f"WHERE r.village_id IN ({villages}) AND {where} "
            "GROUP BY v.district_id, sem",
            [start, end],
        )
    return formulations


def run_raw(sql: str, params: list) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def csv_counts(body: bytes, district_codes: set[str]) -> dict[tuple[str, str], int]:
    reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    return {
        (row["kode"], row["semester"]): int(row["baru"])
        for row in reader
        if row["kode"] in district_codes and int(row["baru"])
    }


def profile(client, url: str) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(RUNS):
        fetch(client, url)
    profiler.disable()
    print(f"\nProfile of {RUNS} x GET {url} (cumulative, top 25):")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(25)


def measure(*, results: Path | None, show_profile: bool, with_raw: bool) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings

    from accounts.models import Role
    from accounts.services import staff_save
    from applications.models import Application
    from jakpreneur.semesters import Semester
    from participants.models import Resident
    from reports.selectors import period_for
    from wilayah.models import City, District, Village

    residents = Resident.objects.count()
    applications = Application.objects.count()
    city = City.objects.get(code=CITY)
    city_residents = Resident.objects.filter(village__district__city=city).count()
    period = period_for(city=city)
    if period is None:
        raise SystemExit("Jakarta Barat has no target period: seed with --seed-jb N")
    print(
        f"\n{connection.vendor}: {residents:,} residents "
        f"({city_residents:,} in Jakarta Barat); period {period.first_semester}–"
        f"{period.last_semester}, stage {period.stage}; {applications:,} online "
        f"applications; {ROUNDS} alternating rounds, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )

    user, _created = staff_save(
        username="bench.dashboard.pimpinan",
        role=Role.PIMPINAN,
        scope=CITY,
        password="bench-Password-123",
        demo=True,
    )
    client = Client()
    client.force_login(user)
    calls = {
        key: (lambda url=url: fetch(client, url)) for key, url in REPORT_URLS.items()
    }
    for key, (url, role, scope) in HOME_URLS.items():
        clerk, _created = staff_save(
            username=f"bench.dashboard.{role}",
            role=role,
            scope=scope,
            password="bench-Password-123",
            demo=True,
        )
        clerk_client = Client()
        clerk_client.force_login(clerk)
        calls[key] = lambda url=url, c=clerk_client: fetch(c, url)
        if role == "kecamatan":
            # The one statement a desk reads per request besides its scope (issue 11).
            from applications.selectors import queue_counts

            calls["queue count"] = lambda c=clerk: queue_counts(user=c)
    anchor = None
    if with_raw:
        districts = {d.pk: d.code for d in District.objects.filter(city=city)}
        village_ids = list(
            Village.objects.filter(district__city=city)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        best = None
        print("Raw SQL formulations (the anchor is the fastest):")
        for label, (sql, params) in raw_queries(
            vendor=connection.vendor,
            city_id=city.pk,
            village_ids=village_ids,
            period=period,
        ).items():
            # A formulation whose warm-up takes 3x the best median is not the best one.
            med, low, _cpu = median_ms(
                lambda sql=sql, params=params: run_raw(sql, params),
                runs=3,
                give_up_ms=3 * best[1] if best else None,
            )
            print(f"  {label:<52} {med:9.1f} ms  (min {low:7.1f})")
            if best is None or med < best[1]:
                best = (label, med, sql, params)
        label, _ms, sql, params = best
        anchor = label
        calls["raw SQL"] = lambda sql=sql, params=params: run_raw(sql, params)

    with override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        }
    ):
        for call in calls.values():
            call()  # warm-up
        times: dict[str, list[float]] = {key: [] for key in calls}
        for _round in range(ROUNDS):
            for key, call in calls.items():
                started = time.perf_counter()
                call()
                times[key].append((time.perf_counter() - started) * 1000)
        queries = {
            key: len(queries_of(calls[key])) for key in [*REPORT_URLS, *HOME_URLS]
        }
        csv_body = fetch(client, REPORT_URLS["csv"])
        if show_profile:
            profile(client, REPORT_URLS["dashboard"])

    figures = {
        key: {"min_ms": min(t), "ms": statistics.median(t)} for key, t in times.items()
    }
    raw = figures.get("raw SQL")
    board = figures["dashboard"]
    print(
        f"{'request':<15} {'min ms':>9} {'median ms':>10} {'queries':>8}  "
        "/ dashboard (min, median)   / raw SQL (min, median)"
    )
    for key, f in figures.items():
        to_board = (
            f"{f['min_ms'] / board['min_ms']:6.2f}x {f['ms'] / board['ms']:6.2f}x"
            if key != "raw SQL"
            else " " * 14
        )
        ratio = (
            f"{f['min_ms'] / raw['min_ms']:6.3f}x {f['ms'] / raw['ms']:6.3f}x"
            if raw and key != "raw SQL"
            else ""
        )
        print(
            f"{key:<15} {f['min_ms']:9.1f} {f['ms']:10.1f} "
            f"{queries.get(key, ''):>8}  {to_board}               {ratio}"
        )
    if anchor:
        print(f"raw SQL anchor: {anchor}")
        # The figures must be the same ones, or the comparison says nothing.
        counted = {
            (districts[d], str(Semester.from_index(int(sem)))): int(n)
            for d, sem, n in run_raw(sql, params)
            if n
        }
        exported = csv_counts(csv_body, set(districts.values()))
        print(
            f"CSV 'baru' equals the raw SQL counts: {exported == counted} "
            f"({sum(counted.values()):,} residents counted, {len(counted)} "
            "kecamatan-semesters)"
        )

    record = {
        "vendor": connection.vendor,
        "residents": residents,
        **{f"{key}_ms": f["ms"] for key, f in figures.items()},
        **{f"{key}_queries": n for key, n in queries.items()},
    }
    if results is not None:
        earlier = []
        if results.exists():
            earlier = [
                json.loads(line)
                for line in results.read_text().splitlines()
                if line.strip()
            ]
        smaller = [
            r
            for r in earlier
            if r["vendor"] == record["vendor"] and r["residents"] < residents
        ]
        if smaller:
            fewest = min(r["residents"] for r in smaller)
            base = [r for r in smaller if r["residents"] == fewest]
            print(f"growth from {fewest:,} to {residents:,} residents (median ms):")
            for key in [*REPORT_URLS, *HOME_URLS]:
                if f"{key}_ms" not in base[-1]:
                    continue
                before = statistics.median(r[f"{key}_ms"] for r in base)
                growth = record[f"{key}_ms"] / before
                print(
                    f"  {key:<12} {before:8.1f} -> {record[f'{key}_ms']:8.1f} ms  "
                    f"{growth:6.3f}x  (queries {base[-1][f'{key}_queries']} -> "
                    f"{record[f'{key}_queries']})"
                )
        with results.open("a") as handle:
            handle.write(json.dumps(record) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-jb", type=int, default=0, metavar="N")
    parser.add_argument("--seed-others", type=int, default=0, metavar="N")
    parser.add_argument(
        "--seed-applications",
        type=int,
        default=0,
        metavar="N",
        help="N online applications of Jakarta Barat (mostly handled, 2 %% waiting)",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="drop and recreate the database"
    )
    parser.add_argument(
        "--results", type=Path, default=None, help="JSON lines file to compare runs"
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the page and the CSV"
    )
    parser.add_argument(
        "--vacuum", action="store_true", help="VACUUM (ANALYZE) even without seeding"
    )
    parser.add_argument("--no-measure", action="store_true", help="only seed")
    parser.add_argument(
        "--no-raw", action="store_true", help="time the page and CSV only, no raw SQL"
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
            "Set DATABASE_URL to a throwaway database such as .../jakpreneur_dash_bench.",
            file=sys.stderr,
        )
        return 2

    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        prepare_postgres(settings_dict, fresh=args.fresh)
    else:
        prepare_sqlite(settings_dict, fresh=args.fresh)

    print(f"Database {name} ({connection.vendor})")
    with timed("migrate"):
        call_command("migrate", verbosity=0)
    if args.seed_jb:
        seed_jakarta_barat(args.seed_jb)
    if args.seed_others:
        seed_other_cities(args.seed_others)
    if args.seed_applications:
        seed_applications(args.seed_applications)
    if (
        args.seed_jb or args.seed_others or args.seed_applications or args.vacuum
    ) and connection.vendor == "postgresql":
        analyze()
    if not args.no_measure:
        measure(
            results=args.results, show_profile=args.profile, with_raw=not args.no_raw
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
