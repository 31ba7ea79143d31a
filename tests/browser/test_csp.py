"""Every main page, for every role, keeps to the Content-Security-Policy it is sent."""

from datetime import date

import pytest
from django.db import transaction

from accounts.models import Role
from accounts.tests.factories import PASSWORD, staff_user
from applications.tests.factories import ApplicationFactory
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from reports.tests.factories import jakarta_barat_period, resident
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.markup]

POLICY = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]
# Reports every violation to Python (an exposed binding survives navigations).
LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation([
    location.pathname, event.violatedDirective, event.blockedURI,
    event.sourceFile + ":" + event.lineNumber, event.sample,
  ].join(" | "));
});
"""
ROLES = {
    Role.KELURAHAN: "31.73.08.1005",
    Role.KECAMATAN: "31.73.08",
    Role.SUDIN: "31.73:PPKUKM",
    Role.PIMPINAN: "31.73",
    Role.ADMIN: "",
}


@pytest.fixture
def watched_page(browser):
    """A page whose CSP violations (events and console messages) land in `violations`."""
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta")
    context.set_default_timeout(10_000)
    violations = []
    context.expose_binding(
        "reportCspViolation", lambda _source, text: violations.append(text)
    )
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            violations.append(f"console | {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.violations = violations
    yield page
    context.close()


@pytest.fixture
def city(live_places):
    """A target period, a Joglo resident enrolled in a PPKUKM training."""
    period = jakarta_barat_period()
    person = resident(registered_on=date(2024, 3, 1), full_name="Siti Aminah")
    program = ProgramFactory()
    with transaction.atomic():  # the stage sync locks rows (this test is transactional)
        EnrollmentFactory(program=program, resident=person)
    return {
        "period": period,
        "resident": person,
        "program": program,
        "application": ApplicationFactory(),
    }


def pages(city) -> list[str]:
    person, program = city["resident"].pk, city["program"].pk
    application = city["application"].pk
    return [
        "/program/daftar/",
        "/program/status/",
        "/pengajuan/",
        f"/pengajuan/{application}/",
        f"/pengajuan/{application}/terima/",
        "/",
        "/warga/",
        "/warga/tambah/",
        f"/warga/{person}/",
        f"/warga/{person}/ubah/",
        f"/warga/{person}/data-pribadi/",
        "/warga/cari-nik/",
        "/pelatihan/",
        "/pelatihan/tambah/",
        f"/pelatihan/{program}/",
        f"/pelatihan/{program}/daftar-hadir/",
        "/pelatihan/cakupan/",
        f"/laporan/?kota=31.73&periode={city['period'].pk}",
        "/laporan/rincian/?kota=31.73",
        "/laporan/cetak/?kota=31.73",
        "/laporan/kecamatan/31.73.08/?kota=31.73",
        "/accounts/password_change/",
        "/admin/",
        "/admin/participants/resident/",
        "/admin/auth/user/add/",
    ]


def open_page(page, url: str) -> None:
    response = page.goto(url)
    page.wait_for_load_state("load")
    header = response.headers.get("content-security-policy", "")
    for directive in POLICY:
        assert directive in header, f"{url}: {directive!r} missing from {header!r}"
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header


@pytest.mark.parametrize("role", list(ROLES))
def test_main_pages_keep_to_the_content_security_policy(
    watched_page, live_server, city, role
):
    page = watched_page
    staff_user(role, ROLES[role], username=f"csp.{role}")
    page.goto(f"{live_server.url}/accounts/login/")

    log_in(page, live_server, f"csp.{role}", PASSWORD)
    page.wait_for_load_state("load")
    for path in pages(city):
        open_page(page, f"{live_server.url}{path}")
        if path == "/warga/tambah/" and role in (Role.KELURAHAN, Role.KECAMATAN):
            # htmx swaps in the NIK check as it is typed.
            page.locator("#id_nik").fill("3173084101900001")
            page.locator("#nik-info [role=status]").wait_for()
    # The menu's dropdown and the language switch run our script, not inline handlers.
    page.goto(f"{live_server.url}/pelatihan/")
    page.locator("nav .dropdown-toggle").click()
    page.get_by_role("link", name="Ganti kata sandi").wait_for()
    for language in ("en", "id"):
        with page.expect_navigation():
            page.locator("#language-switch").select_option(language)
        assert page.locator("html").get_attribute("lang") == language

    assert page.violations == [], "\n".join(page.violations)


def test_the_login_page_keeps_to_the_policy_and_may_not_be_framed(
    watched_page, live_server, live_places
):
    open_page(watched_page, f"{live_server.url}/accounts/login/")
    open_page(watched_page, f"{live_server.url}/admin/login/")

    assert watched_page.violations == [], "\n".join(watched_page.violations)
