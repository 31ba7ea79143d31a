"""CPU time of one request of each kind in the 50-client mix, served in this process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jakpreneur_load_bench \\
        .venv/bin/python benchmarks/request_cpu.py [--rounds 5] [--requests 40]

The 50-client load (benchmarks/load.py) is bound by the CPU of the web workers: on two cores
its p95 is what the mix costs in CPU, queued. This script tells where that CPU goes, with
figures a busy machine hardly moves: it sends the mix's requests (a registration, a stage,
an enrolment by NIK, the Sekretaris Kota's dashboard right after a registration moved its
counters, and the one-INSERT anchor) through the whole middleware stack with Django's test
client, DEBUG off, and prints this process's CPU milliseconds a request of each kind: min and
median over alternating rounds, and each kind's ratio to the anchor in the same round. Only
the Python side is counted (PostgreSQL's own CPU is not); the database is the load script's
(same set-up), so its name must end in "_bench".
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
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        registered.append(pool.pop())
        with CaptureQueriesContext(connection) as queries:
            step()
        for query in queries.captured_queries:
            print(query["sql"][:300])
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
    for _round in range(args.rounds):
        for name, step in steps if _round % 2 == 0 else steps[::-1]:
            if name.startswith("dashboard"):
                times = []
                for _ in range(args.requests):
                    registration()
                    started = time.process_time()
                    step()
                    times.append(time.process_time() - started)
                spent[name].append(sum(times) / len(times) * 1000)
                continue
            if name in ("stage", "enrolment"):
                for _ in range(args.requests - len(registered)):
                    registration()
                pool = list(registered)
                started = time.process_time()
                for n in range(args.requests):
                    registered.append(pool[n])
                    step()
                    registered.pop()
                spent[name].append(
                    (time.process_time() - started) / args.requests * 1000
                )
                registered[:] = []
                continue
            started = time.process_time()
            for _ in range(args.requests):
                step()
            spent[name].append((time.process_time() - started) / args.requests * 1000)
    anchors = spent["anchor: one INSERT"]
    print(
        f"CPU ms a request (this process), {args.rounds} rounds of {args.requests}; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(f"  {'request':<28} {'min':>7} {'median':>7}   ÷ anchor, min–median")
    for name, values in spent.items():
        ratios = [v / a for v, a in zip(values, anchors, strict=True)]
        print(
            f"  {name:<28} {min(values):7.2f} {statistics.median(values):7.2f}   "
            f"{min(ratios):.2f}–{statistics.median(ratios):.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
