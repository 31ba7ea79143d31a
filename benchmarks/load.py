"""50 clerks at once on gunicorn + PostgreSQL, with faults, and proof that nothing is lost.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jakpreneur_load_bench \\
        .venv/bin/python benchmarks/load.py --clients 50 --seconds 60 \\
        [--kill-worker] [--restart-postgres] [--rounds 2]

It migrates the database (its name must end in "_bench"), creates staff accounts and
trainings, starts gunicorn (gunicorn.conf.py's workers unless --workers, DEBUG off) on a free
loopback port, and runs rounds of:
1. the mixed load: kelurahan clerks registering residents (5 % with a NIK already taken, on
   purpose) and recording stages, Sudin clerks enrolling by NIK, the Sekretaris Kota opening
   the dashboard, all at once for --seconds, while a load balancer's probe asks /healthz
   every half second on the workers' port and on gunicorn's probe port (HEALTH_PORT);
2. the anchor, served by the same gunicorn: the same clients POSTing to an authenticated
   view that does one INSERT (benchmarks/anchor_urls.py), for a third of the time.
With --kill-worker one gunicorn worker is killed (SIGKILL) half-way through the load; with
--restart-postgres the PostgreSQL cluster serving DATABASE_URL is restarted a third of the way
(it stops every connection of that cluster: while other work shares 127.0.0.1:5432, give the
script a cluster of its own, e.g. `pg_createcluster 15 fault -p 5433 -- --auth=trust`).

It prints requests/s, p50/p95/p99 and errors by status per request kind, the anchor beside
the registrations, the load average, and then verifies: every registration the server
acknowledged is in the database exactly once, no NIK twice, and the counters equal a recount.
Bounded: every request has a 30 s timeout and every phase its time limit; loopback only.
"""

import argparse
import http.client
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jakpreneur.settings")
# One key for this script and the server: the sessions it creates are signed with it.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
# DEBUG off serves hashed static files: collected once, here, for the server.
os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="jakpreneur-load-static-"))
VENV_BIN = Path(sys.executable).parent
VILLAGES_OF = "31.73.08"  # Kembangan: the clerks' kelurahan
TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def registration_form(*, nik: str, full_name: str, born: date, village) -> dict:
    """A kelurahan clerk's registration form as the browser posts it (warnings confirmed)."""
    return {
        "nik": nik,
        "full_name": full_name,
        "gender": "P",
        "birth_place": "Jakarta",
        "birth_date": born.isoformat(),
        "phone": "081234567890",
        "address": "Jl. Beban 1",
        "rt": "1",
        "rw": "2",
        "village": village.pk,
        "district": village.district_id,
        "education": "sma",
        "registered_on": date.today().isoformat(),
        "heard_via": "outreach",
        "confirm_warnings": "on",
    }


# --- Set-up ------------------------------------------------------------------------------


def session_for(username: str, role: str, scope: str) -> str:
    """A signed-in session of a staff account (created if needed), as a login makes one."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.middleware import LAST_SEEN, SIGNED_IN
    from accounts.services import staff_save

    user, _created = staff_save(
        username=username,
        role=role,
        scope=scope,
        password=secrets.token_hex(16),
        demo=True,  # no first-login password change for benchmark clients
    )
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "accounts.backends.StaffBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[SIGNED_IN] = store[LAST_SEEN] = time.time()
    store.create()
    return store.session_key


def prepare(*, clients: int):
    """Accounts with ready sessions, trainings open now, a target period."""
    from django.core.management import call_command

    from accounts.models import Role
    from programs.models import Agency
    from programs.services import program_create
    from reports.selectors import period_for
    from reports.services import period_create
    from wilayah.models import City, Village

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    call_command("load_wilayah", verbosity=0)
    call_command("load_agencies", verbosity=0)
    city = City.objects.get(code="31.73")
    if period_for(city=city) is None:
        today = date.today()
        start = f"{today.year - 2}-S1"
        period_create(city=city, name="Beban", start_semester=start)
    villages = list(Village.objects.filter(district__code=VILLAGES_OF).order_by("code"))
    agency = Agency.objects.get(city=city, short_name="PPKUKM")
    today = date.today()
    # Five classes of this run's own: a run does not depend on how many ran before (each
    # run enrols about a thousand residents a class, and a class's seats are counted on
    # every enrolment).
    programs = []
    while len(programs) < 5:
        programs.append(
            program_create(
                agency=agency,
                created_by=None,
                title=f"Kelas beban {date.today():%d/%m} #{len(programs) + 1}",
                category="makanan",
                district=villages[0].district,
                venue="RPTRA",
                start_date=today - timedelta(days=1),
                end_date=today + timedelta(days=30),
                capacity=100_000,
                status="open",
            )
        )

    kinds = []
    for n in range(clients):
        share = n % 10
        if share < 7:
            village = villages[n % len(villages)]
            kinds.append(
                (
                    "kelurahan",
                    session_for(f"load.kel{n}", Role.KELURAHAN, village.code),
                    village,
                )
            )
        elif share < 9:
            kinds.append(
                (
                    "sudin",
                    session_for(f"load.sudin{n}", Role.SUDIN, "31.73:PPKUKM"),
                    None,
                )
            )
        else:
            kinds.append(
                ("pimpinan", session_for(f"load.pim{n}", Role.PIMPINAN, "31.73"), None)
            )
    return kinds, [p.pk for p in programs]


def gunicorn_workers(workers: int | None) -> int:
    """The workers a run uses: as asked, else gunicorn.conf.py's (as deployed)."""
    if workers:
        return workers
    import runpy

    return runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))["workers"]


def start_gunicorn(port: int, workers: int, health_port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.anchor_settings",
        "DEBUG": "0",
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "HEALTH_PORT": str(health_port),
        "NIK_LOOKUPS_PER_HOUR": "1000000",
        "LOG_LEVEL": "WARNING",
    }
    # The server's log goes to a file, not a pipe: an undrained pipe fills up (64 KiB of
    # tracebacks) and then blocks every worker that logs, which looked like a hung server.
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (read and removed in main())
        mode="w+", prefix="jakpreneur-load-", suffix=".log", delete=False
    )
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "jakpreneur.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )
    server.log_path = log.name
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn did not start: {server.stderr.read()[-2000:]}")


# --- Clients -----------------------------------------------------------------------------


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.registered: list[
            str
        ] = []  # NIKs the server acknowledged (302 to a resident)
        self.residents: list[tuple[int, str]] = []  # (id, NIK)

    def add(self, kind: str, seconds: float, status: int):
        with self.lock:
            self.times[kind].append(seconds * 1000)
            self.statuses[kind][status] += 1


class Prober(threading.Thread):
    """A load balancer's health check: GET /healthz every half second on one port."""

    def __init__(self, results: Results, stop: threading.Event, kind: str, port: int):
        super().__init__(daemon=True)
        self.results, self.stop, self.kind, self.port = results, stop, kind, port

    def run(self):
        while not self.stop.wait(0.5):
            started = time.monotonic()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", "/healthz")
                status = conn.getresponse().status
                conn.close()
            except OSError:
                status = 0
            self.results.add(self.kind, time.monotonic() - started, status)


class Clerk(threading.Thread):
    def __init__(
        self, n, kind, session, village, programs, port, results, stop, serial
    ):
        super().__init__(daemon=True)
        self.rng = random.Random(n)  # noqa: S311 - load mix, not secrets
        self.kind, self.session, self.village = kind, session, village
        self.programs, self.port, self.results, self.stop = (
            programs,
            port,
            results,
            stop,
        )
        self.serial = serial
        self.csrf = secrets.token_hex(16)  # 32 characters: a valid CSRF secret
        self.mine: list[int] = []
        self.anchor = False

    def request(self, method, path, body=None):
        headers = {
            "Cookie": f"sessionid={self.session}; csrftoken={self.csrf}",
            "X-CSRFToken": self.csrf,
        }
        if body is not None:
            body = urlencode({**body, "csrfmiddlewaretoken": self.csrf}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status, location = response.status, response.getheader("Location") or ""
            conn.close()
        except OSError:
            status, location = 0, ""  # connection refused/reset: counted as an error
        return status, location, time.perf_counter() - started

    def run(self):
        while not self.stop.is_set():
            if self.anchor:
                status, _loc, took = self.request("POST", "/bench/insert/", {})
                self.results.add("anchor: one INSERT", took, status)
                continue
            getattr(self, f"act_{self.kind}")()

    def act_kelurahan(self):
        if self.mine and self.rng.random() < 0.3:
            resident = self.rng.choice(self.mine)
            day = date.today()
            status, _loc, took = self.request(
                "POST",
                f"/warga/{resident}/tahap/",
                {
                    "stage": "pendampingan",
                    "reached_on": day.isoformat(),
                    "mentor": "Bu A",
                },
            )
            self.results.add("stage", took, status)
            return
        from participants.identity import nik_build

        with self.results.lock:
            taken = list(self.results.registered[-200:])
        n = next(self.serial)
        born = date(1970, 1, 1) + timedelta(days=n // 9000 % 12000)
        nik = nik_build(
            district_code=VILLAGES_OF, birth_date=born, gender="P", serial=n % 9000 + 1
        )
        if taken and self.rng.random() < 0.05:
            nik = self.rng.choice(taken)  # a NIK already registered, on purpose
        status, location, took = self.request(
            "POST",
            "/warga/tambah/",
            registration_form(
                nik=nik,
                full_name=f"Warga Beban {self.rng.randrange(10**6)}",
                born=born,
                village=self.village,
            ),
        )
        self.results.add("registration", took, status)
        if status == 302 and location.rstrip("/").split("/")[-1].isdigit():
            resident = int(location.rstrip("/").split("/")[-1])
            self.mine.append(resident)
            with self.results.lock:
                self.results.registered.append(nik)
                self.results.residents.append((resident, nik))

    def act_sudin(self):
        with self.results.lock:
            pool = list(self.results.registered)
        if not pool:
            time.sleep(0.05)  # nobody registered yet: wait for the first residents
            return
        status, _loc, took = self.request(
            "POST",
            f"/pelatihan/{self.rng.choice(self.programs)}/daftar-nik/",
            {"nik": self.rng.choice(pool), "enrolled_on": date.today().isoformat()},
        )
        self.results.add("enrolment", took, status)

    def act_pimpinan(self):
        status, _loc, took = self.request("GET", "/laporan/?kota=31.73")
        self.results.add("dashboard", took, status)


def serial_counter(start: int):
    lock = threading.Lock()
    state = {"n": start}

    def gen():
        while True:
            with lock:
                state["n"] += 1
                yield state["n"]

    return gen()


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().split()[3]) == master:
                    pids.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return pids


def cpu_seconds(master: int) -> dict[str, float]:
    """CPU seconds used so far by the gunicorn master and its workers, by PostgreSQL's
    processes, and by this script, read from /proc. A master's children that ended
    (workers restarted, backends closed) count through its cutime and cstime."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"gunicorn": 0.0, "PostgreSQL": 0.0}
    workers = set(worker_pids(master))
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        own = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        if int(entry.name) == master:
            # cutime + cstime: workers that ended (killed, restarted) and were reaped.
            used["gunicorn"] += own + (int(fields[13]) + int(fields[14])) / tick
        elif int(entry.name) in workers:
            used["gunicorn"] += own
        elif comm == "postgres":
            used["PostgreSQL"] += own
            if int(fields[1]) == 1 or not _is_postgres(int(fields[1])):  # postmaster
                used["PostgreSQL"] += (int(fields[13]) + int(fields[14])) / tick
    times = os.times()
    used["this script"] = times.user + times.system
    return used


def _is_postgres(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == "postgres"
    except OSError:
        return False


def report_cpu(before: dict[str, float], requests: int, seconds: float) -> None:
    """Each part's CPU a request, and how many of the cores it kept busy."""
    after = cpu_seconds(before["master"])
    parts = [
        f"{name} {(after[name] - before[name]) / requests * 1000:.2f} ms "
        f"({(after[name] - before[name]) / seconds:.2f} cores)"
        for name in ("gunicorn", "PostgreSQL", "this script")
    ]
    print(f"  CPU a request: {', '.join(parts)}; {os.cpu_count()} cores")


def restart_postgres() -> None:
    """Restart the cluster that serves DATABASE_URL (found by its port in pg_lsclusters),
    so a throw-away cluster on another port can take the fault while others share 5432."""
    from django.conf import settings

    port = str(settings.DATABASES["default"].get("PORT") or 5432)
    listing = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
    ).stdout
    version, name = next(
        (fields[0], fields[1])
        for fields in (line.split() for line in listing.splitlines())
        if fields[2] == port
    )
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"],
        check=False,
        timeout=120,
    )


# --- Run ---------------------------------------------------------------------------------


def report(results: Results, seconds: float, title: str) -> None:
    print(
        f"\n{title} ({seconds:.0f} s, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})"
    )
    print(
        f"  {'request':<20} {'n':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8}  statuses"
    )
    for kind in sorted(results.times):
        times = results.times[kind]
        statuses = ", ".join(
            f"{s}: {n}" for s, n in sorted(results.statuses[kind].items())
        )
        print(
            f"  {kind:<20} {len(times):6d} {len(times) / seconds:8.1f} "
            f"{percentile(times, 50):8.0f} {percentile(times, 95):8.0f} "
            f"{percentile(times, 99):8.0f}  {statuses}"
        )


def users(results: Results) -> int:
    """The users' requests (the health probes, a few a second, are not counted)."""
    return sum(
        len(times) for kind, times in results.times.items() if "healthz" not in kind
    )


def verify(results: Results) -> bool:
    from django.db.models import Count

    from participants.counting import stage_counts_differences
    from participants.models import Resident

    acknowledged = Counter(nik for _pk, nik in results.residents)
    stored = dict(
        Resident.objects.filter(nik__in=list(acknowledged)).values_list("nik", "pk")
    )
    lost = [nik for nik in acknowledged if nik not in stored]
    twice = [nik for nik, n in acknowledged.items() if n > 1]
    wrong = [(pk, nik) for pk, nik in results.residents if stored.get(nik) != pk]
    duplicates = (
        Resident.objects.values("nik").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    differences = stage_counts_differences()
    print("\nVerification")
    print(f"  registrations acknowledged: {len(results.residents):,}")
    print(f"  acknowledged but not stored: {len(lost)}")
    print(f"  acknowledged twice (one NIK, two 302s): {len(twice)}")
    print(f"  acknowledged id differs from the stored one: {len(wrong)}")
    print(f"  NIKs stored twice: {duplicates}")
    print(f"  counters that differ from a recount: {len(differences)}")
    for line in differences[:10]:
        print(f"    {line}")
    return not (lost or twice or wrong or duplicates or differences)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--workers", type=int, default=None, help="default: gunicorn.conf.py's"
    )
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--kill-worker", action="store_true")
    parser.add_argument("--restart-postgres", action="store_true")
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 1 <= args.seconds <= 600:
        parser.error("1–200 clients, 1–600 seconds")

    import django
    from django.conf import settings

    django.setup()
    name = str(settings.DATABASES["default"]["NAME"])
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") or not name.endswith(
        "_bench"
    ):
        print("Refusing: use a PostgreSQL database whose name ends in _bench.")
        return 2

    kinds, programs = prepare(clients=args.clients)
    port, health_port = free_port(), free_port()
    args.workers = gunicorn_workers(args.workers)
    print(f"gunicorn: {args.workers} workers")
    server = start_gunicorn(port, args.workers, health_port)
    from django.db import connections

    connections.close_all()
    serial = serial_counter(int(time.time()) % 1_000_000 * 100)
    ok = True
    try:
        for round_ in range(1, args.rounds + 1):
            results = Results()
            stop = threading.Event()
            clerks = [
                Clerk(n, kind, session, village, programs, port, results, stop, serial)
                for n, (kind, session, village) in enumerate(kinds)
            ]
            for clerk in clerks:
                clerk.start()
            # The workers' /healthz queues behind users; the probe port does not.
            Prober(results, stop, "healthz (workers)", port).start()
            Prober(results, stop, "healthz (probe port)", health_port).start()
            started = time.monotonic()
            cpu = {**cpu_seconds(server.pid), "master": server.pid}
            faults = []
            if args.restart_postgres:
                faults.append(
                    (args.seconds / 3, "restart PostgreSQL", restart_postgres)
                )
            if args.kill_worker:
                faults.append(
                    (
                        args.seconds / 2,
                        "kill one gunicorn worker",
                        lambda: os.kill(worker_pids(server.pid)[0], signal.SIGKILL),
                    )
                )
            for at, label, fault in sorted(faults, key=lambda f: f[0]):
                time.sleep(max(0, started + at - time.monotonic()))
                print(f"  t={time.monotonic() - started:5.1f} s: {label}", flush=True)
                fault()
            time.sleep(max(0, started + args.seconds - time.monotonic()))
            stop.set()
            for clerk in clerks:
                clerk.join(timeout=TIMEOUT + 5)
            report(results, args.seconds, f"Round {round_}: the mixed load")
            report_cpu(cpu, users(results), time.monotonic() - started)
            loaded = results

            anchor = Results()
            stop = threading.Event()
            clerks = [
                Clerk(n, kind, session, None, programs, port, anchor, stop, serial)
                for n, (kind, session, _village) in enumerate(kinds)
            ]
            started = time.monotonic()
            cpu = {**cpu_seconds(server.pid), "master": server.pid}
            for clerk in clerks:
                clerk.anchor = True
                clerk.start()
            time.sleep(args.seconds / 3)
            stop.set()
            for clerk in clerks:
                clerk.join(timeout=TIMEOUT + 5)
            report(anchor, args.seconds / 3, f"Round {round_}: the anchor")
            report_cpu(cpu, users(anchor), time.monotonic() - started)
            registrations = len(loaded.times["registration"]) / args.seconds
            inserts = len(anchor.times["anchor: one INSERT"]) / (args.seconds / 3)
            if inserts:
                print(
                    f"  registrations/s ÷ one-INSERT requests/s: "
                    f"{registrations:.1f} / {inserts:.1f} = {registrations / inserts:.3f}x"
                )
            connections.close_all()
            ok = verify(loaded) and ok
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log = Path(server.log_path)
        lines = [line for line in log.read_text().splitlines() if "[INFO]" not in line]
        print(f"\nServer log: {log}")
        if lines:
            errors = Counter(
                line
                for line in lines
                if line and not line.startswith((" ", "Traceback"))
            )
            print("Its errors and warnings, by message:")
            for line, n in errors.most_common(20):
                print(f"  {n:5d} × {line[:160]}")
    print("\nAll verified." if ok else "\nVERIFICATION FAILED.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
