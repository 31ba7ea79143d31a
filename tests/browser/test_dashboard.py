from datetime import date

import pytest

from accounts.models import Role
from accounts.tests.factories import PASSWORD, staff_user
from reports.tests.factories import KAPUK, jakarta_barat_period, resident
from tests.browser.conftest import OVERFLOW, log_in

pytestmark = pytest.mark.browser


def test_sekkota_sees_the_charts_and_drills_into_kembangan(
    page, live_server, live_places
):
    jakarta_barat_period()
    for day in [date(2023, 3, 1), date(2024, 2, 1), date(2024, 9, 1)]:
        resident(registered_on=day)
    resident(village=KAPUK, registered_on=date(2024, 9, 2))
    staff_user(Role.PIMPINAN, "31.73", username="sekkota")

    log_in(page, live_server, "sekkota", PASSWORD)

    page.wait_for_url(f"{live_server.url}/laporan/")
    page.locator("html[data-charts-drawn=true]").wait_for()
    # Chart.js drew on both canvases (a blank canvas has no painted pixels).
    for canvas in ("#chart-progress", "#chart-funnel"):
        painted = page.evaluate(
            """id => { const c = document.querySelector(id);
                       const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                       return d.some(v => v !== 0); }""",
            canvas,
        )
        assert painted, canvas
    assert page.locator("#headline-count").inner_text() == "4"

    page.get_by_role("link", name="Kembangan").first.click()

    page.get_by_role("heading", name="Kecamatan Kembangan").wait_for()
    page.locator("html[data-charts-drawn=true]").wait_for()
    assert "/laporan/kecamatan/31.73.08/" in page.url
    kelurahan = page.locator('table[data-dimension="kelurahan"]')
    assert "Joglo" in kelurahan.inner_text()
    assert kelurahan.locator("tfoot td").inner_text() == "3"


def test_on_a_phone_the_headline_and_the_kecamatan_behind_come_first_and_nothing_scrolls_sideways(
    phone_page, live_server, live_places
):
    page = phone_page
    jakarta_barat_period()
    for day in [date(2023, 3, 1), date(2024, 2, 1), date(2024, 9, 1)]:
        resident(registered_on=day)
    resident(village=KAPUK, registered_on=date(2024, 9, 2))
    staff_user(Role.PIMPINAN, "31.73", username="sekkota")

    log_in(page, live_server, "sekkota", PASSWORD)

    page.wait_for_url(f"{live_server.url}/laporan/")
    page.locator("html[data-charts-drawn=true]").wait_for()
    top = page.evaluate(
        """() => {
          const top = (e) => e.getBoundingClientRect().top + window.scrollY;
          const shown = (s) => [...document.querySelectorAll(s)].filter((e) => e.offsetParent);
          return {
            headline: top(document.getElementById("headline-count")),
            behind: top(document.getElementById("districts-behind")),
            charts: Math.min(...shown("canvas").map(top)),
            tables: Math.min(...shown("table").map(top)),
            details: Math.min(...shown("details").map(top)),
          };
        }"""
    )
    assert top["headline"] < top["behind"]
    assert top["behind"] < min(top["charts"], top["tables"], top["details"]), top
    # The kecamatan cards run worst first; on a phone each says where it stands in one line.
    first = page.locator("#districts-behind .district-card").first
    assert first.locator(".badge").inner_text() == "Jauh tertinggal"
    assert "dari target sampai hari ini" in first.inner_text()
    # The tables below are folded on a phone (the charts and cards come first).
    assert page.locator("details[open]").count() == 0

    found = page.evaluate(OVERFLOW)

    assert found["page"] <= 390
    assert found["wide"] == [], "\n".join(found["wide"])
    # Unfolded, the coverage matrix reads one Suku Dinas at a time, each kecamatan labelled.
    gap = page.locator(".table-coverage td.coverage-gap").first
    label = gap.evaluate("e => getComputedStyle(e, '::before').content")
    assert label.strip('"') == gap.get_attribute("data-label") != ""
