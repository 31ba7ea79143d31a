"""Browser tests: Playwright drives Debian's chromium (never a downloaded browser)."""

import os

import pytest

from conftest import chromium_path, load_reference_data

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Elements wider than the viewport, and boxes that scroll sideways (after every <details>
# is opened: what a reader unfolds must fit too).
OVERFLOW = """() => {
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  const width = window.innerWidth;
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\\s+/).join(".") : "");
  const wide = [];
  for (const e of document.body.querySelectorAll("*")) {
    const box = e.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > width + 1) wide.push(name(e) + " ends at " + Math.round(box.right));
    const x = getComputedStyle(e).overflowX;
    if ((x === "auto" || x === "scroll") && e.scrollWidth > e.clientWidth + 1) {
      wide.push(name(e) + " scrolls sideways: " + e.scrollWidth + " > " + e.clientWidth);
    }
  }
  return {page: document.scrollingElement.scrollWidth, wide: wide};
}"""


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Chromium not found: browser tests skipped (apt-get install chromium, or set CHROMIUM_PATH)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; CI must run them", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta")
    context.set_default_timeout(30_000)  # a shared CI machine can be slow
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        locale="id-ID",
        timezone_id="Asia/Jakarta",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(30_000)  # a shared CI machine can be slow
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def live_places(transactional_db):
    """Reference data for tests whose data must be visible to the live server thread."""
    load_reference_data()


def log_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
