"""Test-wide settings and the reference data every test may rely on."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from jakpreneur.semesters import Semester
from programs.services import agencies_load_standard
from reports.services import period_create
from wilayah.models import City
from wilayah.services import wilayah_import, wilayah_read_csv


def load_reference_data() -> None:
    """The official places and the standard Suku Dinas, as `make run` loads them."""
    if not City.objects.exists():
        wilayah_import(rows=wilayah_read_csv())
    agencies_load_standard()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()


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
def places(db):
    """Official places and Sudin; reloaded only if a transactional test flushed them."""
    load_reference_data()


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
