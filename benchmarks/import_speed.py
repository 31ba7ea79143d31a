"""Import speed: a file of new residents with enrolments, end to end, against COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jakpreneur_bench \\
        .venv/bin/python benchmarks/import_speed.py --rows 100000 --fresh
    # Peak memory of checking a 1,000,000-row CSV (nothing written), then of writing it:
    DATABASE_URL=... .venv/bin/python benchmarks/import_speed.py --rows 1000000 --check-only
    DATABASE_URL=... .venv/bin/python benchmarks/import_speed.py --rows 1000000 \\
        --write-once --fresh

    # Alternating rounds (COPY, import, re-import; each round a file of new NIKs):
    DATABASE_URL=... .venv/bin/python benchmarks/import_speed.py --rows 100000 \
        --rounds 3 --fresh

Writes a CSV of --rows new residents of Jakarta Barat, each enrolled in one training (half of
them hadir, so they reach Pelatihan), then, --rounds times (each round a file of other NIKs):
1. COPY: the same rows loaded with PostgreSQL COPY into the same two tables (residents with
   their ids, then enrolments), in a transaction rolled back afterwards: the limit;
2. the import (imports.services.rows_import: read, check, write, counters), timed;
3. the same file imported again (every row unchanged), timed.
Prints rows/s of each (min and median over the rounds), the ratio to COPY measured in the
same run, the load average, this process's peak memory, its memory every 100,000 rows (the
growth rate), and where each import's time went in µs a row:
  read      reading the file's rows (imports.reading)
  parse     each row's cells read and checked by the form's field rules (Checker._parse)
  check     the chunk's lookups (one query each) and each row's decision (new, update,
            same, enrolment; the same NIK twice): Checker.check less parse
  write     inserting residents, enrolments and their history (COPY on PostgreSQL),
            updates: services._write less the two below
  stages    the Pelatihan date of who attended (participants.stages.resident_stages_sync)
  counters  the counters' upserts (participants.counting._diffs_apply)
  other     the rest: each chunk's transaction and commit, the chunking
and the same in CPU µs a row of this process (reading included in "other") and of its
PostgreSQL backend (read from /proc: the database must run on this machine), for COPY too:
their sum is what a row costs whatever the load, and 1e6 / sum the rows/s one free core
would give if nothing waited.
Refuses any database whose name does not end in "_bench".
"""

import argparse
import csv
import io
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
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


def copy_limit(path: Path, *, program, user) -> tuple[float, float, float]:
    """Seconds to COPY the file's rows into the residents and enrolments tables, and the
    CPU seconds it took this process and PostgreSQL."""
    from django.db import connection, transaction
    from django.utils import timezone

    from participants.identity import name_normalize
    from participants.models import Resident
    from programs.models import Enrollment
    from wilayah.models import Village

    village_ids = dict(Village.objects.values_list("code", "pk"))
    now = timezone.now().isoformat()
    cpu, backend = cpu_seconds()
    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COALESCE(MAX(id), 0) FROM {Resident._meta.db_table}"  # noqa: S608
            )
            # Ids past any a writer running meanwhile (another import) could take.
            next_id = cursor.fetchone()[0] + 1 + 1_000_000_000
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
        cpu_after, backend_after = cpu_seconds()
        transaction.set_rollback(True)
    return seconds, cpu_after - cpu, backend_after - backend


class Phases:
    """Seconds spent in each part of the imports, by wrapping the functions doing them."""

    ORDER = ("read", "parse", "check", "write", "stages", "counters", "other")

    def __init__(self) -> None:
        from imports import services
        from imports.rows import Checker
        from participants import counting

        self.seconds: Counter = Counter()
        self._wrap(Checker, "_parse", "parse")
        self._wrap(Checker, "check", "check+parse")
        self._wrap(services, "_write", "write+")
        self._wrap(services, "resident_stages_sync", "stages")
        self._wrap(counting, "_diffs_apply", "counters")

    def _wrap(self, owner, name: str, label: str) -> None:
        original, seconds = getattr(owner, name), self.seconds

        def timed(*args, **kwargs):
            started, cpu = time.perf_counter(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[label] += time.perf_counter() - started
                seconds[label + " cpu"] += time.process_time() - cpu

        setattr(owner, name, timed)

    def rows(self, rows):
        """The table's rows, the time spent reading them counted."""
        seconds, clock = self.seconds, time.perf_counter
        while True:
            started = clock()
            try:
                row = next(rows)
            except StopIteration:
                return
            finally:
                seconds["read"] += clock() - started
            yield row

    def taken(self, total: float, total_cpu: float) -> tuple[dict, dict]:
        """This import's seconds by phase (the nested ones taken out), wall clock and
        this process's CPU (reading is timed on the wall clock only); starts afresh."""
        s = Counter(self.seconds)
        self.seconds.clear()  # in place: the wrappers hold this Counter

        def split(suffix: str, total: float) -> dict[str, float]:
            phases = {
                "read": s["read"] if not suffix else 0.0,
                "parse": s["parse" + suffix],
                "check": s["check+parse" + suffix] - s["parse" + suffix],
                "write": s["write+" + suffix]
                - s["stages" + suffix]
                - s["counters" + suffix],
                "stages": s["stages" + suffix],
                "counters": s["counters" + suffix],
            }
            phases["other"] = (
                total
                - phases["read"]
                - s["check+parse" + suffix]
                - s["write+" + suffix]
            )
            return phases

        return split("", total), split(" cpu", total_cpu)


def phases_line(phases: dict[str, float], rows: int) -> str:
    return "  ".join(
        f"{name} {phases[name] / rows * 1e6:,.0f}" for name in Phases.ORDER
    )


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds used so far by this process and by its PostgreSQL backend (the same
    machine; 0 when not PostgreSQL or not readable)."""
    from django.db import connection

    backend = 0.0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            backend = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return time.process_time(), backend


def load_average() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed_import(path: Path, *, user, write: bool, phases: Phases, marks: list):
    """(seconds, summary, phases) of one import of the file; marks gets (rows, RSS MiB)
    every 100,000 rows."""
    from imports.reading import table_open
    from imports.services import rows_import

    def mark(done, results, summary):
        if done % 100_000 == 0:
            marks.append((done, rss_mib()))

    table = table_open(path, file_name=path.name)
    table.rows = phases.rows(table.rows)
    reset_peak()
    cpu, backend = cpu_seconds()
    started = time.perf_counter()
    summary = rows_import(table=table, user=user, write=write, after_chunk=mark)
    seconds = time.perf_counter() - started
    cpu_after, backend_after = cpu_seconds()
    wall, cpu = phases.taken(seconds, cpu_after - cpu)
    return seconds, summary, wall, cpu, backend_after - backend


def cpu_lines(cpu: dict[str, float], backend: float, rows: int) -> str:
    """This process's CPU by phase and PostgreSQL's, in µs a row: what the import costs
    whatever the load (the wall clock counts the waits for a core too)."""
    mine = sum(cpu.values())
    return (
        f"  CPU µs a row  this process {mine / rows * 1e6:,.0f} "
        f"({phases_line(cpu, rows)}), PostgreSQL {backend / rows * 1e6:,.0f}"
    )


def marks_line(marks: list) -> str:
    """Memory every 100k rows, and its growth per 100k rows after the first."""
    if not marks:
        return ""
    text = ", ".join(f"{done // 1000}k {mib:.0f}" for done, mib in marks)
    if len(marks) > 1:
        (first_rows, first_mib), (last_rows, last_mib) = marks[0], marks[-1]
        growth = (last_mib - first_mib) / (last_rows - first_rows) * 100_000
        text += f" MiB; {growth:+.1f} MiB per 100k rows after the first 100k"
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="alternating rounds of COPY, import and re-import (min and median)",
    )
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
    parser.add_argument(
        "--first",
        type=int,
        default=None,
        help="number of the file's first resident (default: after those imported before)",
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
    from participants.models import Resident
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
    phases = Phases()
    # Files of residents numbered after those earlier runs imported: new NIKs each time.
    first = args.first
    if first is None:
        first = Resident.objects.filter(full_name__startswith="Warga Impor ").count()
    rounds = 1 if args.check_only or args.write_once else args.rounds
    figures: dict[str, list[float]] = {}
    taken: Counter = Counter()
    taken_cpu: Counter = Counter()
    cpus: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for n in range(rounds):
            path = Path(folder) / f"impor-{n}.csv"
            write_csv(
                path, rows=args.rows, villages=villages, first=first + n * args.rows
            )
            size = path.stat().st_size / 1024 / 1024
            print(
                f"round {n + 1}: file {args.rows:,} rows, {size:.1f} MiB "
                f"({connection.vendor}), load average {load_average()}"
            )
            if args.check_only:
                marks = []
                seconds, summary, spent, cpu, backend = timed_import(
                    path, user=user, write=False, phases=phases, marks=marks
                )
                print(
                    f"  check only  {seconds:>8.1f} s, {args.rows / seconds:>8,.0f} rows/s"
                )
                print(f"              {summary.line()}")
                print(f"  µs a row    {phases_line(spent, args.rows)}")
                print(cpu_lines(cpu, backend, args.rows))
                print(f"  peak memory {peak_mib():>8,.0f} MiB (this process)")
                print(f"  memory      {marks_line(marks)}")
                return 0
            if connection.vendor == "postgresql" and not args.write_once:
                seconds, cpu, backend = copy_limit(path, program=program, user=user)
                figures.setdefault("COPY", []).append(seconds)
                cpus.setdefault("COPY", []).append((cpu, backend))
                print(
                    f"  COPY        {seconds:>8.1f} s, {args.rows / seconds:>8,.0f} rows/s "
                    "(the limit)"
                )
                print(
                    f"  CPU µs a row  this process {cpu / args.rows * 1e6:,.0f} "
                    f"(building the COPY text), PostgreSQL {backend / args.rows * 1e6:,.0f}"
                )
            for label in ("import",) if args.write_once else ("import", "re-import"):
                marks = []
                seconds, summary, spent, cpu, backend = timed_import(
                    path, user=user, write=True, phases=phases, marks=marks
                )
                figures.setdefault(label, []).append(seconds)
                cpus.setdefault(label, []).append((sum(cpu.values()), backend))
                if label == "import":
                    taken.update(spent)
                    taken_cpu.update(cpu)
                ratio = (
                    f", {seconds / figures['COPY'][-1]:.1f}× COPY's time"
                    if "COPY" in figures
                    else ""
                )
                print(
                    f"  {label:<11} {seconds:>8.1f} s, {args.rows / seconds:>8,.0f} "
                    f"rows/s{ratio}"
                )
                print(f"              {summary.line()}")
                print(f"  µs a row    {phases_line(spent, args.rows)}")
                print(cpu_lines(cpu, backend, args.rows))
                print(f"  peak memory {peak_mib():>8,.0f} MiB (this process)")
                if marks:
                    print(f"  memory      {marks_line(marks)}")
            print(f"  load average {load_average()}")
    print(f"{rounds} round(s) of {args.rows:,} rows; rows/s min (slowest) / median:")
    for label, times in figures.items():
        print(
            f"  {label:<11} {args.rows / max(times):>8,.0f} / "
            f"{args.rows / statistics.median(times):>8,.0f}"
        )
    if "COPY" in figures:
        for label in ("import", "re-import"):
            ratio = statistics.median(figures[label]) / statistics.median(
                figures["COPY"]
            )
            print(f"  {label} median time {ratio:.1f}× COPY's")
    total_rows = args.rows * rounds
    print(f"  import µs a row (all rounds) {phases_line(taken, total_rows)}")
    print(f"  import CPU µs a row (this process) {phases_line(taken_cpu, total_rows)}")
    print(
        "  CPU µs a row, median (this process + PostgreSQL = rows/s on one free core):"
    )
    for label, pairs in cpus.items():
        mine = statistics.median(c for c, _b in pairs) / args.rows * 1e6
        theirs = statistics.median(b for _c, b in pairs) / args.rows * 1e6
        print(
            f"  {label:<11} {mine:>6,.0f} + {theirs:>6,.0f} = {mine + theirs:>6,.0f} "
            f"({1e6 / (mine + theirs):,.0f} rows/s)"
        )
    from participants.counting import stage_counts_differences

    differences = stage_counts_differences()
    print(
        f"counters      {'equal to a recount' if not differences else differences[:5]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
