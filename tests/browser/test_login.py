import pytest

from accounts.models import Role
from accounts.tests.factories import PASSWORD, staff_user
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_kelurahan_staff_logs_in_and_sees_a_styled_home(page, live_server, live_places):
    staff_user(Role.KELURAHAN, "31.73.08.1005", username="kelurahan.joglo")

    log_in(page, live_server, "kelurahan.joglo", PASSWORD)

    page.wait_for_url(f"{live_server.url}/beranda/kelurahan/")
    assert page.get_by_role("heading", name="Kelurahan Joglo").is_visible()
    navbar = page.locator("nav.navbar")
    # Our stylesheet (the orange bar) and Bootstrap's (a flex navbar) are both applied.
    assert (
        navbar.evaluate("el => getComputedStyle(el).backgroundColor")
        == "rgb(173, 67, 16)"
    )
    assert navbar.evaluate("el => getComputedStyle(el).display") == "flex"


def test_wrong_password_keeps_the_user_on_login_with_a_message(
    page, live_server, live_places
):
    staff_user(Role.KELURAHAN, "31.73.08.1005", username="kelurahan.joglo")

    log_in(page, live_server, "kelurahan.joglo", "salah-sandi")

    assert "/accounts/login/" in page.url
    assert page.get_by_text("Nama pengguna atau kata sandi salah.").is_visible()
