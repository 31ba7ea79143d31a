"""The app's icon: linked from every page (the admin's too), and /favicon.ico finds it."""

import pytest

from accounts.models import Role
from accounts.tests.factories import PASSWORD, staff_user
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.markup]


def test_pages_link_the_icon_and_nothing_they_load_is_missing(
    page, live_server, live_places
):
    failed = []
    page.on(
        "response",
        lambda response: (
            failed.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    staff_user(Role.ADMIN, username="ikon.admin")
    page.goto(f"{live_server.url}/accounts/login/")
    log_in(page, live_server, "ikon.admin", PASSWORD)
    page.wait_for_url(f"{live_server.url}/admin/")

    for path in ("/accounts/login/", "/warga/", "/admin/"):
        page.goto(f"{live_server.url}{path}")
        icon = page.locator("link[rel=icon]")
        assert icon.get_attribute("type") == "image/svg+xml", path
        response = page.request.get(f"{live_server.url}{icon.get_attribute('href')}")
        assert response.ok, path
        assert response.headers["content-type"].startswith("image/svg+xml")
        assert b"<svg" in response.body()
    # Browsers (and the error pages, which link nothing) still ask for /favicon.ico.
    response = page.request.get(f"{live_server.url}/favicon.ico")
    assert response.ok
    assert response.headers["content-type"].startswith("image/svg+xml")

    assert failed == []
