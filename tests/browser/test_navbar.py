"""The menu fits one row at 1366 px for the role with the most entries, in either language."""

import pytest

from accounts.models import Role
from accounts.tests.factories import PASSWORD, staff_user
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.markup]

MEASURE = """() => {
  const bar = document.querySelector("nav.navbar .container-xxl");
  const links = [...bar.querySelectorAll(".nav-link")];
  const select = document.getElementById("language-switch");
  const style = getComputedStyle(select);
  const pen = document.createElement("canvas").getContext("2d");
  pen.font = style.font;
  const text = select.options[select.selectedIndex].text;
  const needed = pen.measureText(text).width + parseFloat(style.paddingLeft)
    + parseFloat(style.paddingRight);
  const right = Math.max(...[...bar.querySelectorAll("*")].map((e) => e.getBoundingClientRect().right));
  return {
    bar: bar.getBoundingClientRect().height,
    link: links[0].getBoundingClientRect().height,
    tops: [...new Set(links.map((a) => Math.round(a.getBoundingClientRect().top)))],
    entries: links.length,
    text: text,
    needed: Math.ceil(needed),
    width: select.clientWidth,
    scroll: select.scrollWidth,
    right: right,
    viewport: window.innerWidth,
    spare: document.querySelector(".language-form").getBoundingClientRect().left
      - bar.querySelector(".navbar-nav").getBoundingClientRect().right,
  };
}"""


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_admin_menu_is_one_row_at_1366_px_and_the_language_box_is_not_cut(
    browser, live_server, live_places, language
):
    context = browser.new_context(
        locale="id-ID",
        timezone_id="Asia/Jakarta",
        viewport={"width": 1366, "height": 768},
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    # A superuser sees every entry; a long name must not push the menu onto two rows.
    staff_user(
        Role.ADMIN,
        username="menu.admin",
        first_name="Administrator Sistem",
        last_name="Provinsi DKI Jakarta",
    )
    log_in(page, live_server, "menu.admin", PASSWORD)
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/warga/")
    if language == "en":
        with page.expect_navigation():
            page.locator("#language-switch").select_option("en")
    assert page.locator("html").get_attribute("lang") == language

    found = page.evaluate(MEASURE)
    context.close()

    assert found["entries"] == 9  # Beranda … Laporan, Impor and Admin
    assert len(found["tops"]) == 1, found
    assert found["bar"] < 1.5 * found["link"], found
    assert found["right"] <= found["viewport"], found
    # With room to spare: fonts differ a little between machines.
    assert found["spare"] >= 16, found
    assert found["scroll"] <= found["width"], found
    assert found["needed"] <= found["width"], found
