"""CPU time of one request of each kind in the 50-client mix, served in this process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jakpreneur_load_bench \\
        .venv/bin/python benchmarks/request_cpu.py [--rounds 5] [--requests 40]

The 50-client load (benchmarks/load.py) is bound by the CPU of the web workers: on two cores
its p95 is what the mix costs in CPU, queued. This script tells where that CPU goes, with
figures a busy machine hardly moves: it sends the mix's requests (a registration, a stage,
an enrolment by NIK, the Sekretaris Kota's dashboard right after a registration moved its
counters, and the one-INSERT anchor) through the whole middleware stack with Django's test
client, DEBUG off, and prints this process's CPU milliseconds a request of each kind: min and
median over alternating rounds, and each kind's ratio to the anchor in the same round, with
the CPU its PostgreSQL backend spent on it (read from /proc: the database must run on this
machine). Two more rows time one statement sent by the ORM with no request around it (a
resident read by NIK, one INSERT): the least each statement a view adds costs. `PROFILE=kind`
prints each of that request's statements with its PostgreSQL CPU, then a profile of the
request. The database is the load script's (same set-up), so its name must end in "_bench".
"""

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.anchor_settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="jakpreneur-cpu-static-"))
for name, value in (
    ("DEBUG", "0"),
    ("ALLOWED_HOSTS", "testserver"),
    ("SECURE_SSL_REDIRECT", "0"),
    ("SESSION_COOKIE_SECURE", "0"),
    ("CSRF_COOKIE_SECURE", "0"),
    ("SECURE_HSTS_SECONDS", "0"),
    ("NIK_LOOKUPS_PER_HOUR", "1000000"),
    ("LOG_LEVEL", "ERROR"),
):
    os.environ[name] = value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    from benchmarks.load import (
        VILLAGES_OF,
        free_port,  # noqa: F401 - same module, same set-up
        prepare,
        registration_form,
    )

    name = str(settings.DATABASES["default"]["NAME"])
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") or not name.endswith(
        "_bench"
    ):
        print("Refusing: use a PostgreSQL database whose name ends in _bench.")
        return 2
    from django.test import Client

    class Browser(Client):
        """A clerk's browser as the load script's clients are: the message a redirect
        carries is shown on the next page, not kept in a cookie that grows with each
        request (and costs more to read and write every time)."""

        def request(self, **request):
            response = super().request(**request)
            self.cookies.pop("messages", None)
            return response

    from participants.identity import nik_build

    kinds, programs = prepare(clients=10)
    form = "application/x-www-form-urlencoded"  # as a browser posts these forms
    sessions = {kind: (session, village) for kind, session, village in kinds}
    clients = {}
    for kind, (session, _village) in sessions.items():
        client = Browser(enforce_csrf_checks=False)
        client.cookies["sessionid"] = session
        clients[kind] = client
    village = sessions["kelurahan"][1]
    serial = int(time.time()) % 1_000_000 * 100
    registered: list[tuple[int, str]] = []

    def registration():
        nonlocal serial
        serial += 1
        born = date(1970, 1, 1).fromordinal(
            date(1970, 1, 1).toordinal() + serial // 9000 % 12000
        )
        nik = nik_build(
            district_code=VILLAGES_OF,
            birth_date=born,
            gender="P",
            serial=serial % 9000 + 1,
        )
        response = clients["kelurahan"].post(
            "/warga/tambah/",
            urlencode(
                registration_form(
                    nik=nik,
                    full_name=f"Warga Beban {serial}",
                    born=born,
                    village=village,
                )
            ),
            content_type=form,
        )
        assert response.status_code == 302, response.status_code
        registered.append((int(response["Location"].rstrip("/").split("/")[-1]), nik))

    def registration_refused():
        # 5 % of the load's registrations use a NIK already registered: the form again,
        # with the message on the NIK field (status 200).
        _resident, nik = taken[0]
        response = clients["kelurahan"].post(
            "/warga/tambah/",
            urlencode(
                registration_form(
                    nik=nik,
                    full_name="Warga Beban Ulang",
                    born=date(1970, 1, 1),
                    village=village,
                )
            ),
            content_type=form,
        )
        assert response.status_code == 200, response.status_code

    def enrolment_refused():
        # The resident is in the class already: the training page again, status 400.
        _resident, nik = taken[0]
        response = clients["sudin"].post(
            f"/pelatihan/{programs[0]}/daftar-nik/",
            urlencode({"nik": nik, "enrolled_on": date.today().isoformat()}),
            content_type=form,
        )
        assert response.status_code == 400, response.status_code

    def stage():
        resident, _nik = registered[-1]
        response = clients["kelurahan"].post(
            f"/warga/{resident}/tahap/",
            urlencode(
                {
                    "stage": "pendampingan",
                    "reached_on": date.today().isoformat(),
                    "mentor": "Bu A",
                }
            ),
            content_type=form,
        )
        assert response.status_code == 302, response.status_code

    def enrolment():
        _resident, nik = registered[-1]
        response = clients["sudin"].post(
            f"/pelatihan/{programs[serial % len(programs)]}/daftar-nik/",
            urlencode({"nik": nik, "enrolled_on": date.today().isoformat()}),
            content_type=form,
        )
        assert response.status_code == 302, response.status_code

    def dashboard():
        response = clients["pimpinan"].get("/laporan/?kota=31.73")
        assert response.status_code == 200, response.status_code

    def anchor():
        response = clients["kelurahan"].post("/bench/insert/", "", content_type=form)
        assert response.status_code == 200, response.status_code

    from participants.models import AccessLog, Resident

    logger = clients["kelurahan"].get("/").wsgi_request.user  # the clerk, signed in

    def orm_read():
        # One statement sent by the ORM, no request around it: what each statement
        # a view adds costs in Python, at least (compiling, executing, reading).
        Resident.objects.filter(nik=f"{serial:016d}").first()

    def orm_insert():
        AccessLog.objects.create(
            user=logger, username=logger.get_username(), action="export_list"
        )

    steps = [
        ("registration", registration),
        ("registration, NIK taken", registration_refused),
        ("stage", stage),
        ("enrolment", enrolment),
        # Right after a registration and a stage moved the kota's counters: computed,
        # as under the 50-client load, where every dashboard follows some registration.
        ("enrolment, already in", enrolment_refused),
        ("dashboard (after a write)", dashboard),
        ("anchor: one INSERT", anchor),
        ("ORM: a resident by NIK", orm_read),
        ("ORM: one INSERT", orm_insert),
    ]
    registration()
    taken = list(registered)  # a resident registered and enrolled in programs[0]
    clients["sudin"].post(
        f"/pelatihan/{programs[0]}/daftar-nik/",
        urlencode({"nik": taken[0][1], "enrolled_on": date.today().isoformat()}),
        content_type=form,
    )
    for _name, step in steps:  # warm every path once
        step()
    from django.db import connection

    def server_ns() -> int:
        """CPU nanoseconds of this connection's PostgreSQL backend so far (schedstat)."""
        connection.ensure_connection()
        pid = connection.connection.get_backend_pid()  # psycopg2's, no query
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])

    if os.environ.get("NO_GC"):  # how much of it is the cyclic garbage collector
        import gc

        gc.disable()
    if os.environ.get("PROFILE"):  # PROFILE=stage: where one kind's time goes
        import cProfile
        import pstats

        step = dict(steps)[os.environ["PROFILE"]]
        registered[:] = []
        for _ in range(args.requests):
            registration()
        pool = list(registered)
        # Each statement's SQL and its PostgreSQL backend's CPU (µs, median of the
        # requests of the first half of the pool); the profile takes the second half.
        statements: dict[int, tuple[str, list[float]]] = {}

        def timed(execute, sql, params, many, context):
            statement = context["statement"]
            before = server_ns()
            try:
                return execute(sql, params, many, context)
            finally:
                spent = (server_ns() - before) / 1000
                _sql, times = statements.setdefault(statement, (sql, []))
                times.append(spent)

        for _ in range(len(pool) // 2):
            registered.append(pool.pop())
            if os.environ["PROFILE"].startswith("dashboard"):
                registration()
            context = {"statement": 0}

            def numbered(execute, sql, params, many, ctx, context=context):
                context["statement"] += 1
                ctx["statement"] = context["statement"]
                return timed(execute, sql, params, many, ctx)

            with connection.execute_wrapper(numbered):
                step()
            registered.pop()
        print("PostgreSQL µs  statement (the request's own, in order)")
        chars = int(os.environ.get("PROFILE_SQL_CHARS", "160"))
        for _number, (sql, times) in sorted(statements.items()):
            print(f"{statistics.median(times):13.0f}  {sql[:chars]}")
        profile = cProfile.Profile(time.process_time)  # CPU, not waits
        for n in range(len(pool)):
            registered.append(pool[n])
            if os.environ["PROFILE"].startswith("dashboard"):
                registration()
            profile.enable()
            step()
            profile.disable()
        stats = pstats.Stats(profile).sort_stats(
            os.environ.get("PROFILE_SORT", "cumulative")
        )
        stats.print_stats(int(os.environ.get("PROFILE_LINES", "60")))
        if os.environ.get("PROFILE_CALLERS"):  # PROFILE_CALLERS=deepcopy: who calls it
            stats.print_callers(os.environ["PROFILE_CALLERS"])
        if os.environ.get("PROFILE_CALLEES"):  # PROFILE_CALLEES=forms.py:175: its calls
            stats.print_callees(os.environ["PROFILE_CALLEES"])
        return 0
    spent: dict[str, list[float]] = {name: [] for name, _step in steps}
    server: dict[str, list[float]] = {name: [] for name, _step in steps}
    for _round in range(args.rounds):
        for name, step in steps if _round % 2 == 0 else steps[::-1]:
            ours = theirs = 0.0
            if name in ("stage", "enrolment"):
                for _ in range(args.requests - len(registered)):
                    registration()
                pool = list(registered)
            for n in range(args.requests):
                if name.startswith("dashboard"):
                    # Right after a registration moved the kota's counters, as under
                    # the load, where every dashboard follows some registration.
                    registration()
                elif name in ("stage", "enrolment"):
                    registered.append(pool[n])
                before_server, started = server_ns(), time.process_time()
                step()
                ours += time.process_time() - started
                theirs += server_ns() - before_server
                if name in ("stage", "enrolment"):
                    registered.pop()
            if name in ("stage", "enrolment"):
                registered[:] = []
            spent[name].append(ours / args.requests * 1000)
            server[name].append(theirs / args.requests / 1e6)
    anchors = spent["anchor: one INSERT"]
    print(
        f"CPU ms a request, {args.rounds} rounds of {args.requests}; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}. This process (Django), and "
        "its PostgreSQL backend (read from /proc: same machine)"
    )
    print(
        f"  {'request':<28} {'min':>7} {'median':>7}   ÷ anchor, min–median"
        f"   {'PostgreSQL min':>14} {'median':>7}"
    )
    for name, values in spent.items():
        ratios = [v / a for v, a in zip(values, anchors, strict=True)]
        print(
            f"  {name:<28} {min(values):7.2f} {statistics.median(values):7.2f}   "
            f"{min(ratios):.2f}–{statistics.median(ratios):.2f}"
            f"{'':>14} {min(server[name]):14.2f} {statistics.median(server[name]):7.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
