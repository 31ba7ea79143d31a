"""Screenshots of Jakpreneur Tracker for the README, from a throw-away demo database.

    .venv/bin/python docs/screenshots/take_screenshots.py [--residents 3000] [--out DIR]

Builds a temporary SQLite database (migrate, load_wilayah, load_agencies, seed_demo), serves
it with `manage.py runserver` on a free port, signs in with the demo accounts (password
DEMO_PASSWORD, `jakpreneur` by default) and saves each role's home page, the dashboard, the
registration form and a resident's page at 390×844 (phone) and 1366×768 (desktop) as PNGs,
full page but at most MAX_HEIGHT px tall. Nothing outside the temporary folder and the output
folder is touched. Needs the dev requirements (Playwright) and Chromium (CHROMIUM_PATH or
/usr/bin/chromium, as the browser tests); `optipng` shrinks the files when it is installed.
"""

import argparse
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
SIZES = {"phone": (390, 844), "desktop": (1366, 768)}
MAX_HEIGHT = 3000
PASSWORD = os.environ.get("DEMO_PASSWORD", "jakpreneur")

# (file name, demo account, path, what to wait for). RESIDENT is filled in after seeding.
SHOTS = [
    ("home-kelurahan", "kelurahan.joglo", "/", "h1"),
    ("home-kecamatan", "kecamatan.kembangan", "/", "h1"),
    ("home-sudin", "sudin.ppkukm", "/", "h1"),
    ("dashboard-sekkota", "sekkota", "/", "html[data-charts-drawn=true]"),
    ("home-admin", "admin", "/", "#content"),
    ("registration-form", "kelurahan.joglo", "/warga/tambah/", "#id_nik"),
    ("resident", "kelurahan.joglo", "RESIDENT", "h1"),
]
# The Joglo resident who went furthest (most stages reached, then the earliest registered).
RESIDENT_QUERY = """
from django.db.models import Count
from participants.models import Resident
r = (Resident.objects.filter(village__code="31.73.08.1005", voided_at__isnull=True)
     .annotate(n=Count("stage_records")).order_by("-n", "pk").first())
print(r.pk)
"""


def chromium() -> str:
    for candidate in (
        os.environ.get("CHROMIUM_PATH"),
        shutil.which("chromium"),
        "/usr/bin/chromium",
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    sys.exit("Chromium not found: apt-get install chromium, or set CHROMIUM_PATH")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args, capture=False) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout or ""


def wait_for_server(port: int, seconds: float = 60) -> None:
    """Until /healthz answers 200 (the dev server takes a few seconds to start)."""
    deadline = time.monotonic() + seconds
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        if time.monotonic() > deadline:
            sys.exit("The demo server did not start.")
        time.sleep(0.5)


def shoot(browser, base: str, resident: int, out: Path) -> list[Path]:
    saved = []
    for size, (width, height) in SIZES.items():
        phone = size == "phone"
        for name, username, path, ready in SHOTS:
            context = browser.new_context(
                locale="id-ID",
                timezone_id="Asia/Jakarta",
                viewport={"width": width, "height": height},
                is_mobile=phone,
                has_touch=phone,
            )
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            with page.expect_navigation():
                page.click("button[type=submit]")
            page.goto(base + path.replace("RESIDENT", f"/warga/{resident}/"))
            page.wait_for_load_state("load")
            page.locator(ready).first.wait_for(state="attached")
            full = page.evaluate("document.scrollingElement.scrollHeight")
            target = out / f"{name}-{size}.png"
            page.screenshot(
                path=target,
                full_page=True,
                clip={"x": 0, "y": 0, "width": width, "height": min(full, MAX_HEIGHT)},
            )
            context.close()
            saved.append(target)
            print(
                f"  {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}"
            )
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=3000)
    parser.add_argument("--out", type=Path, default=OUT)
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="jakpreneur-screens-") as tmp:
        env = {
            **os.environ,
            "DEBUG": "1",
            "SECRET_KEY": "screenshots-only-not-secret",
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'demo.sqlite3'}",
            "CACHE_URL": "locmemcache://",
        }
        print("Membuat basis data demo sementara …")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_wilayah")
        manage(env, "load_agencies")
        manage(env, "seed_demo", "--residents", str(options.residents))
        resident = int(
            manage(env, "shell", "-c", RESIDENT_QUERY, capture=True).split()[-1]
        )

        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for_server(port)
            print(f"Memotret ke {options.out} …")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium(),
                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
                )
                saved = shoot(browser, base, resident, options.out)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)

    if optipng := shutil.which("optipng"):
        subprocess.run([optipng, "-quiet", "-o2", *map(str, saved)], check=True)


if __name__ == "__main__":
    main()
