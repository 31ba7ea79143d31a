"""Production set-up: check --deploy, and gunicorn + whitenoise on PostgreSQL with DEBUG off."""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def production_env(**extra) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_"))
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CSRF_TRUSTED_ORIGINS="https://127.0.0.1",
        USE_X_FORWARDED_PROTO="1",
        DJANGO_SETTINGS_MODULE="jakpreneur.settings",
    )
    env.update(extra)
    return env


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_is_clean_with_the_documented_variables():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env()
    )

    assert result.returncode == 0, result.stdout + result.stderr


def smoke_database_url() -> str:
    """A throw-away PostgreSQL database beside the one the suite uses (or the local default)."""
    if url := os.environ.get("SMOKE_DATABASE_URL"):
        return url
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        base = "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/jakpreneur_smoke"))


@pytest.fixture
def smoke_database():
    import psycopg2

    url = smoke_database_url()
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    try:
        admin = psycopg2.connect(
            urlunsplit(parts._replace(path="/postgres")), connect_timeout=5
        )
    except psycopg2.OperationalError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"PostgreSQL unreachable for the production smoke test: {error}"
            )
        pytest.skip(f"PostgreSQL unreachable, production smoke test skipped: {error}")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield url
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, **headers) -> tuple[int, dict, bytes]:
    """GET as a TLS proxy would forward it; redirects are returned, not followed."""
    request = urllib.request.Request(
        url, headers={"X-Forwarded-Proto": "https", **headers}
    )
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited: {server.communicate()[1]}")
        try:
            fetch(url)
            return
        except OSError:
            time.sleep(0.1)  # waiting for another process to bind its port
    raise AssertionError("gunicorn did not answer in time")


def test_gunicorn_serves_login_and_static_files_with_debug_off(
    smoke_database, tmp_path
):
    env = production_env(
        DATABASE_URL=smoke_database, STATIC_ROOT=str(tmp_path / "static")
    )
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        result = manage(*command, env=env)
        assert result.returncode == 0, result.stderr
    port, probe = free_port(), free_port()
    server = gunicorn(env, port=port, probe=probe)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", server)

        status, _headers, body = fetch(f"{base}/healthz")
        assert (status, body) == (200, b"ok")
        # The master's own probe port answers too, outside the workers' queue.
        status, _headers, body = fetch(f"http://127.0.0.1:{probe}/healthz")
        assert (status, body) == (200, b"ok")
        status, _headers, body = fetch(f"{base}/accounts/login/")
        page = body.decode()
        assert status == 200
        assert "Masuk" in page
        css = re.search(
            r'href="(/static/vendor/bootstrap/css/bootstrap\.min\.[0-9a-f]+\.css)"',
            page,
        )
        assert css, "the login page links hashed Bootstrap CSS"
        status, headers, body = fetch(base + css.group(1))
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert b".navbar" in body
        status, _headers, _body = fetch(f"{base}/beranda/kelurahan/")
        assert status == 302
    finally:
        server.terminate()
        server.wait(timeout=10)


def gunicorn(env, *, port: int, probe: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "jakpreneur.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        cwd=BASE_DIR,
        env={**env, "HEALTH_PORT": str(probe)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_without_a_database_both_health_checks_say_503(tmp_path):
    nobody = free_port()  # nothing listens here
    env = production_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{nobody}/jakpreneur",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    result = manage("collectstatic", "--noinput", env=env)
    assert result.returncode == 0, result.stderr
    port, probe = free_port(), free_port()
    server = gunicorn(env, port=port, probe=probe)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", server)

        assert fetch(f"{base}/healthz")[::2] == (503, b"database unavailable")
        probed = fetch(f"http://127.0.0.1:{probe}/healthz")
        assert probed[::2] == (503, b"database unavailable")
        # A signed-in clerk (a session cookie): reading the session needs the database.
        status, headers, body = fetch(f"{base}/warga/", Cookie="sessionid=" + "a" * 32)
        assert status == 503
        assert "Isian Anda belum tersimpan" in body.decode()
        assert headers.get("Retry-After") == "5"
    finally:
        stop(server)


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)
