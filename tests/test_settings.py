"""Settings refuse what must never reach production (each case in a fresh interpreter)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent


def import_settings(**env: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with only the given Django variables."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY"}
        and not key.startswith(("DJANGO_", "PYTEST_"))
    }
    # An empty value, not an absent one, so a developer's .env cannot fill it in.
    environment.update({"DEBUG": "0", "SECRET_KEY": ""}, **env)
    return subprocess.run(
        [sys.executable, "-c", "import jakpreneur.settings"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    result = import_settings()

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY belum diisi" in result.stderr
    assert "token_urlsafe" in result.stderr


@pytest.mark.parametrize(
    "key",
    ["change-me", "django-insecure-dev-only-change-me-in-production"],
)
def test_settings_refuse_the_published_example_and_development_keys(key):
    result = import_settings(SECRET_KEY=key)

    assert result.returncode != 0
    assert "SECRET_KEY belum diisi" in result.stderr


def test_settings_start_with_a_key_of_their_own():
    result = import_settings(SECRET_KEY="a-long-random-value-" + "x" * 40)

    assert result.returncode == 0, result.stderr


def test_development_falls_back_on_the_development_key():
    result = import_settings(DEBUG="1")

    assert result.returncode == 0, result.stderr


def manage(*args: str) -> subprocess.CompletedProcess:
    """manage.py with DEBUG off and no SECRET_KEY."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY"}
        and not key.startswith(("DJANGO_", "PYTEST_"))
    }
    environment.update(DEBUG="0", SECRET_KEY="")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_commands_that_only_touch_source_files_run_without_a_key():
    result = manage("makemigrations", "--check", "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_other_commands_still_need_a_key():
    result = manage("check")

    assert result.returncode != 0
    assert "SECRET_KEY belum diisi" in result.stderr
