"""Requests per second of registration and the dashboard, each against its anchor.

    .venv/bin/python benchmarks/throughput.py [--database-url postgres://.../jk_reg_bench]
        [--clients 16] [--rounds 5] [--seconds 8] [--residents 5000] [--port 18400]

It creates the PostgreSQL database if needed (its name must end in "_bench"; default
jk_reg_bench, or BENCH_DATABASE_URL), migrates it and, once, seeds it small: places and
Sudin, --residents Jakarta Barat residents with trainings (demo_residents, demo_programs),
target periods. Then it starts gunicorn (gunicorn.conf.py's workers unless --workers, DEBUG
off) with the anchors of benchmarks/anchor_urls.py served beside the app, and with --clients
concurrent clients
(threads, keep-alive where the server keeps it, each logged in with a session of its own
and a CSRF token) alternates rounds of --seconds each:

- registration: kelurahan clerks of Joglo POST /warga/tambah/ with new valid NIKs,
  vs /bench/insert/, an authenticated view doing one INSERT;
- dashboard: the Sekretaris Kota of Jakarta Barat GETs /laporan/,
  vs /bench/page/, an authenticated view rendering a small template.

It prints req/s of every round, min and median over the rounds, the ratio of each round
and their min and median, the SQL statements of one registration and of the anchors, and
the load average. The machine may be shared: the ratios of the same round count, not the
absolute figures. Not a test: nothing is asserted, only printed.
"""

import argparse
import http.client
import itertools
import os
import secrets
import socket
import statistics
import sys
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jk_reg_bench"
VILLAGE = "31.73.08.1005"  # Joglo, Kembangan
DISTRICT = "31.73.08"
CITY = "31.73"
SEED = 2022
TIMEOUT = 30


def settings_from_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--residents", type=int, default=5000)
    parser.add_argument(
        "--workers", type=int, default=None, help="default: gunicorn.conf.py's"
    )
    parser.add_argument(
        "--port", type=int, default=0, help="default: the first free of 18400-18499"
    )
    parser.add_argument(
        "--only",
        choices=["registration", "dashboard"],
        default=None,
        help="one pair of rounds only",
    )
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 1 <= args.seconds <= 120:
        parser.error("1–200 clients, 1–120 seconds a round")
    # Set before Django (here) and gunicorn (inherits the environment) read them.
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jakpreneur.settings")
    return args


def port_in_range(wanted: int, *, taken: int | None = None) -> int:
    for port in [wanted] if wanted else range(18400, 18500):
        if port == taken:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port in 18400-18499")


# --- Set-up --------------------------------------------------------------------------------


def seed(residents: int) -> None:
    """Reference data, a small Jakarta Barat, target periods (each only once)."""
    from django.core.management import call_command
    from django.db import connection

    from demo.accounts import demo_places_and_agencies
    from demo.programs import demo_programs
    from demo.residents import demo_residents
    from demo.targets import demo_periods

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    demo_places_and_agencies()
    people = demo_residents(count=residents, seed=SEED, city_code=CITY)
    if not people.already_seeded:
        print(f"  seeded: {people.summary()}")
        print(f"  seeded: {demo_programs(seed=SEED, city_code=CITY).summary()}")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    demo_periods()


class NewNiks:
    """Valid NIKs of Kembangan no resident holds yet, one per call, from any thread."""

    def __init__(self):
        from participants.models import Resident

        self.taken = set(
            Resident.objects.filter(nik__startswith=DISTRICT.replace(".", ""))
            .values_list("nik", flat=True)
            .iterator(chunk_size=10_000)
        )
        self.numbers = itertools.count()
        self.lock = threading.Lock()

    def __call__(self) -> tuple[str, date]:
        from participants.identity import nik_build

        with self.lock:
            while True:
                n = next(self.numbers)
                born = date(1960, 1, 1) + timedelta(days=n // 9999)
                nik = nik_build(
                    district_code=DISTRICT,
                    birth_date=born,
                    gender="P",
                    serial=n % 9999 + 1,
                )
                if nik not in self.taken:
                    self.taken.add(nik)
                    return nik, born


def statements_of(method: str, path: str, *, session: str, data=None) -> int:
    """SQL statements of one request, served in this process by the same URLconf: the
    second of two, as a worker that has served one already (what a process reads once is
    read by the first). `data`: a callable giving each request's form data."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client()
    client.cookies["sessionid"] = session
    with override_settings(
        ROOT_URLCONF="benchmarks.anchor_urls", ALLOWED_HOSTS=["testserver"]
    ):
        for _warm_then_counted in range(2):
            with CaptureQueriesContext(connection) as queries:
                response = (
                    getattr(client, method)(path, data()) if data else client.get(path)
                )
            if response.status_code not in (200, 302):
                raise SystemExit(
                    f"{method.upper()} {path}: status {response.status_code}"
                )
    return len(queries)


# --- Clients ---------------------------------------------------------------------------------


class Client(threading.Thread):
    """One signed-in user sending `request()` again and again until `stop` is set."""

    def __init__(self, *, port, session, request, expected, stop, counts):
        super().__init__(daemon=True)
        self.port, self.session, self.make_request = port, session, request
        self.expected, self.stop, self.counts = expected, stop, counts
        self.csrf = secrets.token_hex(16)  # 32 characters: a valid CSRF secret
        self.conn = None

    def send(self, method: str, path: str, body: dict | None) -> int:
        headers = {
            "Cookie": f"sessionid={self.session}; csrftoken={self.csrf}",
            "X-CSRFToken": self.csrf,
        }
        payload = None
        if body is not None:
            payload = urlencode({**body, "csrfmiddlewaretoken": self.csrf})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=TIMEOUT
                )
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                response.read()
                if response.will_close:
                    self.conn.close()
                    self.conn = None
                return response.status
            except (OSError, http.client.HTTPException):
                # The server closed a kept-alive connection: once more on a new one.
                self.conn.close()
                self.conn = None
                if attempt:
                    return 0
        return 0

    def run(self):
        while not self.stop.is_set():
            method, path, body = self.make_request()
            status = self.send(method, path, body)
            if not self.stop.is_set():
                self.counts["ok" if status in self.expected else status] += 1
        if self.conn is not None:
            self.conn.close()


def timed_rounds(
    order, *, port: int, sessions: list[str], seconds: float, per_s: dict, errors: dict
) -> list[str]:
    """One round of each (label, request, expected) in order: req/s and error statuses
    added to per_s and errors under the label; the round's figures as printable parts."""
    line = []
    for label, request, expected in order:
        result = one_round(
            port=port,
            sessions=sessions,
            request=request,
            expected=expected,
            seconds=seconds,
        )
        per_s.setdefault(label, []).append(result["per_s"])
        for status, n in result["errors"].items():
            errors.setdefault(label, {}).setdefault(status, 0)
            errors[label][status] += n
        line.append(f"{label} {result['per_s']:7.1f}")
    return line


def one_round(*, port: int, sessions: list[str], request, expected, seconds) -> dict:
    """Requests per second (and errors by status) of len(sessions) clients for `seconds`."""
    stop = threading.Event()
    counts_of = [Counter() for _session in sessions]  # one per client: no lock
    clients = [
        Client(
            port=port,
            session=session,
            request=request,
            expected=expected,
            stop=stop,
            counts=counts,
        )
        for session, counts in zip(sessions, counts_of, strict=True)
    ]
    started = time.perf_counter()
    for client in clients:
        client.start()
    time.sleep(seconds)
    stop.set()
    elapsed = time.perf_counter() - started
    for client in clients:
        client.join(timeout=TIMEOUT + 5)
    total = sum(counts_of, Counter())
    return {
        "per_s": total.pop("ok", 0) / elapsed,
        "errors": dict(total),
    }


def registration_request(niks: NewNiks, village_pk: int, district_pk: int):
    def request():
        nik, born = niks()
        return (
            "POST",
            "/warga/tambah/",
            {
                "nik": nik,
                "full_name": f"Warga Throughput {secrets.token_hex(3)}",
                "gender": "P",
                "birth_place": "Jakarta",
                "birth_date": born.isoformat(),
                "phone": "0812-3456-7890",
                "address": "Jl. Joglo Raya No. 5",
                "rt": "5",
                "rw": "2",
                "village": village_pk,
                "district": district_pk,
                "education": "sma",
                "registered_on": date.today().isoformat(),
                "heard_via": "outreach",
                "confirm_warnings": "on",
            },
        )

    return request


def main() -> int:
    args = settings_from_arguments()

    # Shared with benchmarks/load.py: one SECRET_KEY for this process and the server (the
    # sessions made here are signed with it), static files collected for DEBUG off.
    import django
    from django.conf import settings

    from benchmarks.dashboard import bench_name, prepare_postgres
    from benchmarks.load import gunicorn_workers, session_for, start_gunicorn

    django.setup()
    settings_dict = settings.DATABASES["default"]
    name = bench_name(settings_dict)
    if connection_vendor(settings_dict) != "postgresql" or not name.endswith("_bench"):
        print("Refusing: use a PostgreSQL database whose name ends in _bench.")
        return 2
    prepare_postgres(settings_dict, fresh=False)
    print(f"Database {name}: migrate and seed (once)", flush=True)
    seed(args.residents)

    from accounts.models import Role
    from participants.models import Resident
    from wilayah.models import Village

    village = Village.objects.get(code=VILLAGE)
    clerks = [
        session_for(f"bench.reg.kel{n}", Role.KELURAHAN, VILLAGE)
        for n in range(args.clients)
    ]
    readers = [
        session_for(f"bench.reg.pim{n}", Role.PIMPINAN, CITY)
        for n in range(args.clients)
    ]
    niks = NewNiks()
    register = registration_request(niks, village.pk, village.district_id)
    statements = {
        "registration": statements_of(
            "post", "/warga/tambah/", session=clerks[0], data=lambda: register()[2]
        ),
        "one INSERT": statements_of(
            "post", "/bench/insert/", session=clerks[0], data=lambda: {"x": "1"}
        ),
        "dashboard": statements_of("get", "/laporan/", session=readers[0]),
        "small template": statements_of("get", "/bench/page/", session=readers[0]),
    }
    residents = Resident.objects.count()

    from django.db import connections

    connections.close_all()
    port = port_in_range(args.port)
    # gunicorn's probe port (benchmarks.load): the next free one after the workers'.
    health_port = port_in_range(port + 1 if args.port else 0, taken=port)
    args.workers = gunicorn_workers(args.workers)
    server = start_gunicorn(port, args.workers, health_port)
    pairs = {
        "registration": (
            ("registration", register, {302}),
            ("one INSERT", lambda: ("POST", "/bench/insert/", {"x": "1"}), {200}),
            clerks,
        ),
        "dashboard": (
            ("dashboard", lambda: ("GET", "/laporan/", None), {200}),
            ("small template", lambda: ("GET", "/bench/page/", None), {200}),
            readers,
        ),
    }
    if args.only:
        pairs = {args.only: pairs[args.only]}
    per_s: dict[str, list[float]] = {}
    errors: dict[str, dict] = {}
    print(
        f"{residents:,} residents; {args.clients} clients, gunicorn {args.workers} "
        f"workers on 127.0.0.1:{port}, {args.rounds} rounds of {args.seconds:.0f} s; "
        f"load average {load_average()}",
        flush=True,
    )
    try:
        # Warm-up: every worker imports, connects and compiles its templates.
        for ours, anchor, sessions in pairs.values():
            for _label, request, expected in (ours, anchor):
                one_round(
                    port=port,
                    sessions=sessions,
                    request=request,
                    expected=expected,
                    seconds=1,
                )
        for round_ in range(1, args.rounds + 1):
            line = []
            for ours, anchor, sessions in pairs.values():
                # Alternate which of the two goes first, so neither always follows the other.
                order = (ours, anchor) if round_ % 2 else (anchor, ours)
                line += timed_rounds(
                    order,
                    port=port,
                    sessions=sessions,
                    seconds=args.seconds,
                    per_s=per_s,
                    errors=errors,
                )
            print(
                f"  round {round_}: " + " | ".join(line) + f"  (load {load_average()})",
                flush=True,
            )
    finally:
        server.terminate()
        try:
            _out, server_errors = server.communicate(timeout=15)
        except Exception:  # noqa: BLE001 - stop it whatever happened
            server.kill()
            _out, server_errors = server.communicate()
    report(pairs, per_s, errors, statements)
    # The server logs to a file (benchmarks.load), not to a pipe.
    log = Path(server.log_path)
    server_errors = log.read_text(errors="replace") if log.exists() else ""
    log.unlink(missing_ok=True)
    lines = [line for line in server_errors.splitlines() if "[INFO]" not in line]
    if lines:
        print("\nServer log (errors and warnings, last 20 lines):")
        for line in lines[-20:]:
            print(f"  {line}")
    return 0


def report(pairs, per_s, errors, statements) -> None:
    print(
        f"\nreq/s {'min':>8} {'median':>8}   SQL statements (a worker's second request)"
    )
    for label, values in per_s.items():
        print(
            f"  {label:<16} {min(values):8.1f} {statistics.median(values):8.1f}   "
            f"{statements[label]}"
        )
    print("\nratio (ours / anchor, same round)   per round   min   median")
    for (label, _r, _e), (anchor, _ar, _ae), _sessions in pairs.values():
        ratios = [
            ours / theirs
            for ours, theirs in zip(per_s[label], per_s[anchor], strict=True)
            if theirs
        ]
        print(
            f"  {label} / {anchor}: "
            + " ".join(f"{r:.3f}" for r in ratios)
            + f"   min {min(ratios):.3f}   median {statistics.median(ratios):.3f}"
        )
    if errors:
        print(f"\nUnexpected statuses (0: no answer): {errors}")
    print(f"load average {load_average()}")


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def connection_vendor(settings_dict: dict) -> str:
    return "postgresql" if "postgresql" in settings_dict["ENGINE"] else "other"


if __name__ == "__main__":
    sys.exit(main())
