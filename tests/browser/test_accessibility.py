"""Every main page, as the roles that use it, at phone and desktop size, passes axe-core's
WCAG 2.1 A/AA checks with no serious or critical violation.

axe-core is a devDependency (package.json): `npm ci` puts it in node_modules, which is never
served (settings.STATICFILES_DIRS lists only the app's own assets). The script is injected
into a context that bypasses the Content-Security-Policy; test_csp.py checks the policy
itself without a bypass. AXE_CORE_JS points to another copy of axe.min.js.
"""

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import PASSWORD, staff_user
from applications.tests.factories import ApplicationFactory
from outreach.tests.factories import OutreachActivityFactory
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from reports.tests.factories import KAPUK, jakarta_barat_period, resident
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.markup]

SIZES = {"phone": (390, 844), "desktop": (1366, 768)}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((node) => [
      v.id, v.impact, node.target.join(" "),
      (node.failureSummary || v.help).replace(/\\s+/g, " "),
    ]));
}"""


def axe_script() -> Path:
    path = Path(
        os.environ.get("AXE_CORE_JS")
        or settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    )
    if not path.is_file():
        message = f"axe-core not found at {path}: run `npm ci` (or set AXE_CORE_JS)"
        if os.environ.get("CI") == "true":
            pytest.fail(
                message + "; CI must run the accessibility checks", pytrace=False
            )
        pytest.skip(message)
    return path


@pytest.fixture
def city(live_places):
    """A target period; Joglo and Kapuk residents, one of them in a PPKUKM training."""
    period = jakarta_barat_period()
    person = resident(registered_on=date(2024, 3, 1), full_name="Siti Aminah")
    resident(village=KAPUK, registered_on=date(2025, 9, 1))
    program = ProgramFactory()
    with transaction.atomic():  # the stage sync locks rows (this test is transactional)
        EnrollmentFactory(program=program, resident=person)
    activity = OutreachActivityFactory()  # Kembangan's kantor kecamatan (issue 13)
    application = ApplicationFactory(full_name="Rina Wati")
    return {
        "period": period,
        "resident": person,
        "program": program,
        "activity": activity,
        "application": application,
    }


def pages_of(role, city) -> list[str]:
    """The main pages each role works with (its home page first)."""
    person, program = city["resident"].pk, city["program"].pk
    dashboard = [
        f"/laporan/?kota=31.73&periode={city['period'].pk}",
        "/laporan/kecamatan/31.73.08/?kota=31.73",
        "/laporan/rincian/?kota=31.73",
    ]
    residents = ["/warga/", f"/warga/{person}/"]
    outreach = ["/sosialisasi/", "/sosialisasi/tambah/"]  # issue 13
    application = city["application"].pk
    queue = [
        "/pengajuan/",
        f"/pengajuan/{application}/",
        f"/pengajuan/{application}/terima/",
    ]
    return {
        Role.KELURAHAN: [
            "/",
            *residents,
            "/warga/tambah/",
            "/pelatihan/",
            f"/pelatihan/{program}/",
            *queue,
        ],
        Role.KECAMATAN: [
            "/",
            "/warga/",
            *outreach,
            f"/sosialisasi/{city['activity'].pk}/ubah/",
            *queue,
        ],
        Role.SUDIN: [
            "/",
            "/pelatihan/",
            f"/pelatihan/{program}/",
            "/pelatihan/tambah/",
            "/pelatihan/cakupan/",
            "/warga/cari-nik/",
            "/sosialisasi/tambah/",
        ],
        Role.PIMPINAN: [
            "/",
            *dashboard,
            *residents,
            "/pelatihan/cakupan/",
            "/sosialisasi/",
        ],
        Role.ADMIN: ["/", *dashboard, "/pelatihan/cakupan/"],
    }[role]


def audit(page, url: str, script: Path, state: str = "") -> list[str]:
    page.add_script_tag(path=str(script))
    found = page.evaluate(RUN_AXE, WCAG)
    where = f"{url} {state}".strip()
    return [
        f"{where} | {rule} ({impact}) | {target} | {why}"
        for rule, impact, target, why in found
    ]


@pytest.fixture(params=list(SIZES))
def axe_page(request, browser):
    width, height = SIZES[request.param]
    phone = request.param == "phone"
    context = browser.new_context(
        locale="id-ID",
        timezone_id="Asia/Jakarta",
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
        bypass_csp=True,  # to inject axe-core; the policy itself is test_csp.py's
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("role", list(Role))
def test_main_pages_have_no_serious_accessibility_violations(
    axe_page, live_server, city, role
):
    script = axe_script()
    page = axe_page
    staff_user(role, username=f"axe.{role}")
    log_in(page, live_server, f"axe.{role}", PASSWORD)
    page.wait_for_load_state("load")
    problems = []
    for path in pages_of(role, city):
        url = f"{live_server.url}{path}"
        page.goto(url)
        page.wait_for_load_state("load")
        problems += audit(page, path, script)
        if path.startswith("/warga/") and path.rstrip("/").split("/")[-1].isdigit():
            stage = page.locator("#id_stage")
            if stage.count():
                # The stage form with a stage chosen shows that stage's evidence fields.
                stage.select_option("pendampingan")
                problems += audit(page, path, script, "(tahap dipilih)")
    assert problems == [], "\n".join(problems)


def test_login_page_has_no_serious_accessibility_violations(
    axe_page, live_server, live_places
):
    script = axe_script()
    page = axe_page
    problems = []
    page.goto(f"{live_server.url}/accounts/login/")
    problems += audit(page, "/accounts/login/", script)
    # With the error shown for a wrong password.
    page.get_by_label("Nama pengguna").fill("tidak.ada")
    page.get_by_label("Sandi").fill("salah-sekali")
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state("load")
    problems += audit(page, "/accounts/login/", script, "(salah sandi)")
    assert problems == [], "\n".join(problems)


def test_public_pages_have_no_serious_accessibility_violations(
    axe_page, live_server, city
):
    """/program/ and a kecamatan's page, anonymous: an open training, a field lead and a
    Sudin without one (Parekraf), the progress tables unfolded."""
    script = axe_script()
    today = timezone.localdate()
    with transaction.atomic():
        ProgramFactory(
            start_date=today + timedelta(days=5), end_date=today + timedelta(days=6)
        )
    page = axe_page
    problems = []
    for path in ("/program/", "/program/kembangan/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        problems += audit(page, path, script)
        page.evaluate(
            "document.querySelectorAll('details').forEach(d => d.open = true)"
        )
        problems += audit(page, path, script, "(tabel dibuka)")
    assert problems == [], "\n".join(problems)


def test_public_application_pages_have_no_serious_accessibility_violations(
    axe_page, live_server, live_places
):
    """Issue 13: the apply page (with its errors shown), the confirmation, the status."""
    script = axe_script()
    page = axe_page
    problems = []
    page.goto(f"{live_server.url}/program/daftar/?kecamatan=31.73.08")
    problems += audit(page, "/program/daftar/", script)
    page.get_by_role("button", name="Kirim pengajuan").click()
    page.wait_for_load_state("load")
    problems += audit(page, "/program/daftar/", script, "(kosong dikirim)")
    application = ApplicationFactory()
    page.goto(f"{live_server.url}/program/status/")
    problems += audit(page, "/program/status/", script)
    page.get_by_label("Kode pengajuan").fill(application.code)
    page.get_by_label("Tanggal lahir").fill(application.birth_date.isoformat())
    page.get_by_role("button", name="Cek status").click()
    page.locator("#status-result").wait_for()
    problems += audit(page, "/program/status/", script, "(hasil)")
    assert problems == [], "\n".join(problems)
