"""Time and peak memory of a big resident list export built by its background job.

On a database seeded by seed_residents.py (name ending in "_bench"), as a pimpinan of the
kota (masked, the whole kota): the inline CSV's bytes generated and thrown away (the anchor:
what the request did before, with no storage), then the job's CSV, the job's XLSX, and a
download of each (reading the parts back). Each phase's peak memory is its own (VmHWM reset).

    DATABASE_URL=sqlite:////tmp/jakpreneur_bench.sqlite3 \\
        .venv/bin/python benchmarks/export_jobs.py
"""

import contextlib
import os
import resource
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jakpreneur.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)


def peak_mib() -> float:
    """This process's peak resident memory (VmHWM) since the last reset_peak, in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def main() -> int:
    import django
    from django.conf import settings

    django.setup()
    name = Path(str(settings.DATABASES["default"]["NAME"])).stem
    if not name.endswith("_bench"):
        print(f"Refusing: database {name!r} does not end in '_bench'.", file=sys.stderr)
        return 2

    from django.contrib.auth import get_user_model

    from accounts.models import Role, StaffProfile
    from exports.models import ExportJob
    from exports.services import export_build, export_chunks, export_job_create
    from participants.exports import csv_lines
    from participants.selectors import residents_filtered
    from wilayah.models import City

    user, _created = get_user_model().objects.get_or_create(username="bench.sekkota")
    StaffProfile.objects.get_or_create(
        user=user,
        defaults={"role": Role.PIMPINAN, "city": City.objects.get(code="31.73")},
    )
    print(f"load average before: {os.getloadavg()}")

    def phase(label, run):
        reset_peak()
        started = time.perf_counter()
        result = run()
        seconds = time.perf_counter() - started
        print(f"{label}: {seconds:.1f} s, peak {peak_mib():.0f} MiB {result or ''}")
        return seconds

    def anchor():
        residents = residents_filtered(user=user, params={})
        size = sum(len(line.encode()) for line in csv_lines(residents, unmasked=False))
        return f"({size / 2**20:.1f} MiB)"

    def build(fmt):
        job = export_job_create(user=user, fmt=fmt, filters={}, unmasked=False)
        export_build(job_id=job.pk)
        job.refresh_from_db()
        assert job.status == ExportJob.Status.DONE, job.message
        jobs[fmt] = job
        return (
            f"({job.rows_written:,} rows, {job.size / 2**20:.1f} MiB, "
            f"{job.parts.count()} parts)"
        )

    def download(fmt):
        size = sum(len(chunk) for chunk in export_chunks(job=jobs[fmt]))
        assert size == jobs[fmt].size
        return f"({size / 2**20:.1f} MiB)"

    jobs = {}
    base = phase("anchor: inline CSV bytes, not stored", anchor)
    csv_s = phase("job CSV (built and stored in parts)", lambda: build("csv"))
    phase("download CSV (parts read back)", lambda: download("csv"))
    xlsx_s = phase("job XLSX (built and stored in parts)", lambda: build("xlsx"))
    phase("download XLSX (parts read back)", lambda: download("xlsx"))
    rows = jobs["csv"].rows_written
    print(
        f"CSV job {rows / csv_s:,.0f} rows/s ({csv_s / base:.2f}x the anchor's time); "
        f"XLSX job {rows / xlsx_s:,.0f} rows/s ({xlsx_s / base:.2f}x)"
    )
    print(f"load average after: {os.getloadavg()}")
    for job in jobs.values():
        job.delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
