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
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

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
        HEALTH_PORT="0",  # a test that wants the probe gives it a free port
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


@pytest.fixture(scope="module")
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


def wait_until_up(
    url: str, server: subprocess.Popen, log_path: Path, seconds: float = 30
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited: {log_path.read_text()}")
        try:
            fetch(url)
            return
        except OSError:
            time.sleep(0.1)  # waiting for another process to bind its port
    raise AssertionError("gunicorn did not answer in time")


@pytest.fixture(scope="module")
def production_env_on_smoke_database(smoke_database, tmp_path_factory):
    """The documented variables on a migrated throw-away database with collected static."""
    env = production_env(
        DATABASE_URL=smoke_database,
        STATIC_ROOT=str(tmp_path_factory.mktemp("static")),
        TRUSTED_PROXY_COUNT="1",
    )
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        result = manage(*command, env=env)
        assert result.returncode == 0, result.stderr
    return env


@contextmanager
def gunicorn(env, log_path: Path, workers: int = 2):
    """A gunicorn on a free port; yields its base URL."""
    port = free_port()
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "jakpreneur.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=log,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{base}/healthz", server, log_path)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


def test_gunicorn_serves_login_and_static_files_with_debug_off(
    production_env_on_smoke_database, tmp_path
):
    probe = free_port()
    env = {**production_env_on_smoke_database, "HEALTH_PORT": str(probe)}
    with gunicorn(env, tmp_path / "gunicorn.log") as base:
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


def log_in(base: str, username: str, password: str, client: str) -> tuple[int, str]:
    """POST the login form as a browser at address `client` would, through the TLS proxy."""
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": client}
    with _opener.open(
        urllib.request.Request(f"{base}/accounts/login/", headers=headers), timeout=10
    ) as page:
        cookies = "; ".join(
            cookie.split(";")[0] for cookie in page.headers.get_all("Set-Cookie")
        )
        token = re.search(
            r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode()
        ).group(1)
    form = urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": password}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/",
        data=form,
        headers={
            **headers,
            "Cookie": cookies,
            "Origin": base.replace("http://", "https://"),
        },
    )
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_login_lockout_holds_across_gunicorn_servers(
    production_env_on_smoke_database, tmp_path
):
    env = production_env_on_smoke_database
    created = manage(
        "create_staff",
        "smoke.kepala",
        "--role",
        "admin",
        env={**env, "STAFF_PASSWORD": "Kunci-Asap-Uji-2025"},
    )
    assert created.returncode == 0, created.stderr

    # One wrong password tolerated: each costs a full production password hash.
    env = {**env, "LOGIN_FAILURE_LIMIT": "1"}

    with (
        # Two servers, as on two machines: only the database is shared.
        gunicorn(env, tmp_path / "a.log", workers=1) as server_a,
        gunicorn(env, tmp_path / "b.log", workers=1) as server_b,
    ):
        answers = [
            log_in(server_a, "smoke.kepala", "salah-sandi", client="203.0.113.7")[0]
            for _ in range(2)
        ]
        status, page = log_in(
            server_b, "smoke.kepala", "Kunci-Asap-Uji-2025", client="198.51.100.8"
        )

    assert answers == [200, 429]
    assert status == 429
    assert "Terlalu banyak percobaan masuk yang gagal" in page
    log = (tmp_path / "a.log").read_text()
    assert 'login failure by {username: "smoke.kepala", address: "203.0.113.7"' in log
    assert "salah-sandi" not in log


def test_without_a_database_both_health_checks_say_503(tmp_path):
    nobody = free_port()  # nothing listens here
    probe = free_port()
    env = production_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{nobody}/jakpreneur",
        STATIC_ROOT=str(tmp_path / "static"),
        HEALTH_PORT=str(probe),
    )
    result = manage("collectstatic", "--noinput", env=env)
    assert result.returncode == 0, result.stderr
    with gunicorn(env, tmp_path / "gunicorn.log") as base:
        assert fetch(f"{base}/healthz")[::2] == (503, b"database unavailable")
        probed = fetch(f"http://127.0.0.1:{probe}/healthz")
        assert probed[::2] == (503, b"database unavailable")
        # A signed-in clerk (a session cookie): reading the session needs the database.
        status, headers, body = fetch(f"{base}/warga/", Cookie="sessionid=" + "a" * 32)
        assert status == 503
        assert "Isian Anda belum tersimpan" in body.decode()
        assert headers.get("Retry-After") == "5"


def test_gunicorn_runs_a_worker_per_core_plus_one_unless_told(monkeypatch):
    import multiprocessing
    import runpy

    config = str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py")
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert runpy.run_path(config)["workers"] == multiprocessing.cpu_count() + 1
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    assert runpy.run_path(config)["workers"] == 5
