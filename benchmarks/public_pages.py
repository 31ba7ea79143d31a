"""Requests per second of a public kecamatan page against the bare "hello" page.

    .venv/bin/python benchmarks/public_pages.py [--database-url postgres://.../jk_pub_bench]
        [--cache-url redis://127.0.0.1:6379/10] [--clients 16] [--rounds 5] [--seconds 8]
        [--residents 5000] [--workers 4] [--port 18410] [--path /program/kembangan/]

It seeds the PostgreSQL database (its name must end in "_bench") as benchmarks/throughput.py
does (places, Sudin, --residents Jakarta Barat residents with trainings, target periods) and
the demo's office contacts and field leads, starts gunicorn (DEBUG off) with the shared
cache at --cache-url (so the public pages' bodies are cached, as in production) and the
anchors of benchmarks/anchor_urls.py, and with --clients anonymous clients (keep-alive)
alternates rounds of --seconds each: the kecamatan page vs /bench/hello/ (a view returning
"hello": no template, no SQL), served by the same server. It prints req/s of every round,
min and median, the ratio of each round and their min and median, the SQL statements of one
request of each (warm cache) and the load average. The machine may be shared: the ratio of
the same round counts, not the absolute figures. Not a test: nothing is asserted.
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jk_pub_bench"
DEFAULT_CACHE = "redis://127.0.0.1:6379/10"


def settings_from_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument(
        "--cache-url", default=os.environ.get("BENCH_CACHE_URL", DEFAULT_CACHE)
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--residents", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--path", default="/program/kembangan/")
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 1 <= args.seconds <= 120:
        parser.error("1–200 clients, 1–120 seconds a round")
    # Set before Django (here) and gunicorn (inherits the environment) read them.
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["CACHE_URL"] = args.cache_url
    os.environ["REPORTS_CACHE"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jakpreneur.settings")
    return args


def statements_of(path: str) -> tuple[int, int, int]:
    """(status, SQL statements, bytes) of one anonymous GET, served in this process by the same
    URLconf, after a first GET that fills the cache."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client()
    with override_settings(
        ROOT_URLCONF="benchmarks.anchor_urls", ALLOWED_HOSTS=["testserver"]
    ):
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
    return response.status_code, len(queries), len(response.content)


def main() -> int:
    args = settings_from_arguments()

    import django
    from django.conf import settings

    from benchmarks.dashboard import bench_name, prepare_postgres
    from benchmarks.load import start_gunicorn
    from benchmarks.throughput import (
        connection_vendor,
        load_average,
        one_round,
        port_in_range,
        seed,
        timed_rounds,
    )

    django.setup()
    settings_dict = settings.DATABASES["default"]
    name = bench_name(settings_dict)
    if connection_vendor(settings_dict) != "postgresql" or not name.endswith("_bench"):
        print("Refusing: use a PostgreSQL database whose name ends in _bench.")
        return 2
    prepare_postgres(settings_dict, fresh=False)
    print(f"Database {name}: migrate and seed (once)", flush=True)
    seed(args.residents)

    from demo.accounts import demo_field_leads, demo_office_contacts
    from participants.models import Resident
    from programs.models import Program

    demo_field_leads(seed=2022)
    demo_office_contacts(seed=2022)
    status, page_sql, body = statements_of(args.path)
    if status != 200:
        print(f"GET {args.path}: status {status}")
        return 2
    _status, hello_sql, _bytes = statements_of("/bench/hello/")
    residents, programs = Resident.objects.count(), Program.objects.count()

    from django.db import connections

    connections.close_all()
    port = port_in_range(args.port)
    health_port = port_in_range(port + 1 if args.port else 0, taken=port)
    server = start_gunicorn(port, args.workers, health_port)
    ours = (args.path, lambda: ("GET", args.path, None), {200})
    anchor = ("hello", lambda: ("GET", "/bench/hello/", None), {200})
    sessions = [""] * args.clients  # anonymous visitors
    per_s: dict[str, list[float]] = {}
    errors: dict[str, dict] = {}
    print(
        f"{residents:,} residents, {programs:,} trainings; page {body:,} bytes; "
        f"{args.clients} clients, gunicorn {args.workers} workers on 127.0.0.1:{port}, "
        f"cache {args.cache_url}, {args.rounds} rounds of {args.seconds:.0f} s; "
        f"load average {load_average()}",
        flush=True,
    )
    try:
        for _label, request, expected in (ours, anchor):  # warm-up
            one_round(
                port=port,
                sessions=sessions,
                request=request,
                expected=expected,
                seconds=1,
            )
        for round_ in range(1, args.rounds + 1):
            order = (ours, anchor) if round_ % 2 else (anchor, ours)
            line = timed_rounds(
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
            server.communicate(timeout=15)
        except Exception:  # noqa: BLE001 - stop it whatever happened
            server.kill()
            server.communicate()
    statements = {args.path: page_sql, "hello": hello_sql}
    print(f"\nreq/s {'min':>8} {'median':>8}   SQL statements a request (warm)")
    for label, values in per_s.items():
        print(
            f"  {label:<22} {min(values):8.1f} {statistics.median(values):8.1f}   "
            f"{statements[label]}"
        )
    ratios = [
        mine / theirs
        for mine, theirs in zip(per_s[args.path], per_s["hello"], strict=True)
        if theirs
    ]
    print(
        f"\nratio {args.path} / hello (same round): "
        + " ".join(f"{r:.3f}" for r in ratios)
        + f"   min {min(ratios):.3f}   median {statistics.median(ratios):.3f}"
    )
    if errors:
        print(f"\nUnexpected statuses (0: no answer): {errors}")
    log = Path(server.log_path)
    server_log = log.read_text(errors="replace") if log.exists() else ""
    log.unlink(missing_ok=True)
    lines = [line for line in server_log.splitlines() if "[INFO]" not in line]
    if lines:
        print("\nServer log (errors and warnings, last 20 lines):")
        for line in lines[-20:]:
            print(f"  {line}")
    print(f"load average {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
