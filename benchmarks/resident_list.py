"""Time the resident list, search and export on a big database (run after seed_residents.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jakpreneur_bench \
        .venv/bin/python benchmarks/resident_list.py

Prints median milliseconds of 10 warm requests and the SQL query count of each page.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jakpreneur.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# DEBUG stays off (production-like timings), so the settings need a key of their own.
os.environ.setdefault("SECRET_KEY", "not-secret-only-for-benchmarks")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from accounts.models import Role  # noqa: E402
from accounts.services import staff_save  # noqa: E402
from participants.models import Resident  # noqa: E402

RUNS = 10


def user(username: str, role: str, scope: str):
    found, _created = staff_save(
        username=username,
        role=role,
        scope=scope,
        password="bench-Password-123",
        demo=True,
    )
    return found


def measure(label: str, client: Client, method: str, url: str, data=None) -> None:
    def call():
        response = getattr(client, method)(url, data or {})
        if getattr(response, "streaming", False):
            for _chunk in response.streaming_content:
                pass
        return response

    call()  # warm
    queries = []
    slow = []

    def record(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(sql)
            slow.append(((time.perf_counter() - start) * 1000, sql))

    with connection.execute_wrapper(record):
        response = call()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    print(
        f"{label:<44} {statistics.median(times):9.1f} ms  "
        f"{len(queries):3d} queries  status {response.status_code}"
    )
    if os.environ.get("SHOW_SLOW"):
        for ms, sql in sorted(slow, reverse=True)[:2]:
            print(f"    {ms:8.1f} ms  {sql[:300]}")


@override_settings(
    STORAGES={
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
)
def main() -> None:
    total = Resident.objects.count()
    print(f"{connection.vendor}: {total:,} residents")
    sample = (
        Resident.objects.filter(village__code="31.73.08.1005").order_by("id").first()
    )
    admin = Client()
    admin.force_login(user("bench.admin", Role.ADMIN, ""))
    kelurahan = Client()
    kelurahan.force_login(user("bench.joglo", Role.KELURAHAN, "31.73.08.1005"))
    pimpinan = Client()
    pimpinan.force_login(user("bench.sekkota", Role.PIMPINAN, "31.73"))

    measure("admin list, page 1", admin, "get", "/warga/")
    measure("admin list, page 50", admin, "get", "/warga/", {"page": 50})
    measure(
        "pimpinan list, stage=permodalan",
        pimpinan,
        "get",
        "/warga/",
        {"stage": "permodalan"},
    )
    measure(
        "pimpinan list, semester=2024-S2",
        pimpinan,
        "get",
        "/warga/",
        {"semester": "2024-S2"},
    )
    measure(
        "pimpinan list, name search 'siti'", pimpinan, "get", "/warga/", {"q": "siti"}
    )
    measure("pimpinan list by name", pimpinan, "get", "/warga/", {"sort": "full_name"})
    kecamatan = Client()
    kecamatan.force_login(user("bench.kembangan", Role.KECAMATAN, "31.73.08"))
    measure("kecamatan name search 'siti'", kecamatan, "get", "/warga/", {"q": "siti"})
    measure(
        "kecamatan name search 'siti', by name",
        kecamatan,
        "get",
        "/warga/",
        {"q": "siti", "sort": "full_name"},
    )
    measure(
        "kecamatan 'siti', perempuan, 2024-S2",
        kecamatan,
        "get",
        "/warga/",
        {"q": "siti", "gender": "P", "semester": "2024-S2"},
    )
    measure(
        "kecamatan list by name", kecamatan, "get", "/warga/", {"sort": "full_name"}
    )
    measure("kelurahan list, page 1", kelurahan, "get", "/warga/")
    measure(
        "kelurahan NIK search (POST)", kelurahan, "post", "/warga/", {"q": sample.nik}
    )
    measure(
        "kelurahan CSV export (whole kelurahan)", kelurahan, "get", "/warga/ekspor.csv"
    )


if __name__ == "__main__":
    main()
