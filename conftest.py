"""Test-wide settings and the reference data every test may rely on."""

import logging
import os
import re
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model
from django.test import override_settings
from django.utils import timezone, translation

from jakpreneur.semesters import Semester
from programs.models import Agency
from programs.services import agencies_load_standard
from reports.services import period_create
from wilayah.models import City
from wilayah.services import wilayah_import, wilayah_read_csv

# The rows the first load wrote, per model (the test database's own, taken once per run):
# a transactional test (browser, race) empties every table when it ends, and the next one
# that needs places gets them back from here in one INSERT per table, the same rows with the
# same ids, instead of loading the official list again (seconds each, dozens of times a run).
_REFERENCE_ROWS: list[tuple[type[Model], list[str], list[tuple]]] = []


def load_reference_data() -> None:
    """The official places and the standard Suku Dinas, as `make run` loads them."""
    if City.objects.exists():
        if not Agency.objects.exists():
            agencies_load_standard()
        return
    if _REFERENCE_ROWS:
        _reference_rows_restore()
        return
    wilayah_import(rows=wilayah_read_csv())
    agencies_load_standard()


def _row_counts() -> dict[type[Model], int]:
    return {
        model: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def _reference_rows_take(before: dict[type[Model], int]) -> None:
    for model, count in _row_counts().items():
        if count > before.get(model, 0):
            names = [f.attname for f in model._meta.concrete_fields]
            rows = list(model._base_manager.order_by("pk").values_list(*names))
            _REFERENCE_ROWS.append((model, names, rows))


def _reference_rows_restore() -> None:
    with transaction.atomic():  # foreign keys are checked at the commit
        for model, names, rows in _REFERENCE_ROWS:
            model._base_manager.bulk_create(
                [model(**dict(zip(names, row, strict=True))) for row in rows]
            )
        # Rows created next take ids after these, as after a real load.
        reset = connection.ops.sequence_reset_sql(
            no_style(), [model for model, _names, _rows in _REFERENCE_ROWS]
        )
        with connection.cursor() as cursor:
            for sql in reset:
                cursor.execute(sql)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        before = _row_counts()
        load_reference_data()
        _reference_rows_take(before)


@pytest.fixture(scope="session", autouse=True)
def _test_settings():
    """Fast hashing, a private cache, assets from their folders, plain HTTP.

    Session-wide, so the live server's middleware (built once) sees them too.
    """
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        },
        # One process: its memory is the shared cache (reports.cache).
        REPORTS_CACHE=True,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        },
        SECURE_SSL_REDIRECT=False,
        SECURE_HSTS_SECONDS=0,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
    ):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (rate limits, cached pages) and in Bahasa
    Indonesia (a request that chose English leaves it active in the test's thread)."""
    cache.clear()
    translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.fixture
def today():
    """Today as the app sees it (Asia/Jakarta). Tests that need the real calendar take it
    from here and derive their dates from it, so no test fails on a date."""
    return timezone.localdate()


@pytest.fixture
def current_period(places, today):
    """Jakarta Barat's target period of ten semesters with today in its sixth."""
    return period_create(
        city=City.objects.get(code="31.73"),
        name="Periode berjalan",
        start_semester=str(Semester.of(today) + -5),
    )


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a write as if its transaction committed (the tests' own never does): what the
    write does after its commit (cache versions bumped, jobs queued) happens too."""

    def run(write):
        with django_capture_on_commit_callbacks(execute=True):
            return write()

    return run


@pytest.fixture
def places(db):
    """Official places and Sudin; reloaded only if a transactional test flushed them."""
    load_reference_data()


class _LogKeeper(logging.Handler):
    """Every log line written while the suite runs (the app's, Django's, the live
    server's), to check at the end that none holds a NIK-like number (UU PDP)."""

    # A number of its own: not digits inside a longer token such as a random hex id (an RQ
    # worker's name once held a 15-digit run and failed the suite at random).
    NIK_RUN = re.compile(r"(?<![0-9A-Za-z])\d{15,16}(?![0-9A-Za-z])")

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.offending: list[str] = []

    def emit(self, record):
        try:
            line = self.format(record)
        except Exception:  # noqa: BLE001 - a broken record is not our concern here
            return
        if self.NIK_RUN.search(line):
            self.offending.append(f"{record.name}: {line[:300]}")


_log_keeper = _LogKeeper()


def pytest_configure(config):
    logging.getLogger().addHandler(_log_keeper)


def pytest_collection_modifyitems(config, items):
    """MARKUP_SHARD=k/n: of the tests marked `markup` (pages checked in a browser for
    accessibility, the content security policy and layout: what the templates render, the
    same on SQLite and PostgreSQL), run every n-th from the k-th. CI runs the suite on both
    databases side by side and gives each half of them, so each runs once per CI run (as
    FUZZ_SHARD does for the fuzz test); unset (`make test`), all of them."""
    spec = os.environ.get("MARKUP_SHARD", "")
    if not spec:
        return
    k, n = (int(part) for part in spec.split("/"))
    assert 0 <= k < n, f"MARKUP_SHARD={spec}: want k/n with 0 <= k < n"
    markup = [item for item in items if item.get_closest_marker("markup")]
    skipped = {id(item) for item in markup} - {id(item) for item in markup[k::n]}
    if skipped:
        config.hook.pytest_deselected(
            items=[item for item in items if id(item) in skipped]
        )
        items[:] = [item for item in items if id(item) not in skipped]


def pytest_sessionfinish(session, exitstatus):
    if _log_keeper.offending:
        print("\nLog lines with a NIK-like number (15 or 16 digits):")
        for line in _log_keeper.offending[:20]:
            print(f"  {line}")
        session.exitstatus = 1


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("CHROMIUM_PATH"),
        shutil.which("chromium"),
        "/usr/bin/chromium",
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def pytest_report_header(config):
    path = chromium_path()
    if path:
        return f"browser tests: Chromium at {path}"
    return "browser tests: SKIPPED, no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)"
