"""On a phone (390 px) the desk pages fit the screen: no table scrolls sideways."""

from datetime import date

import pytest
from django.db import transaction

from accounts.models import Role
from accounts.tests.factories import PASSWORD, staff_user
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from reports.tests.factories import resident
from tests.browser.conftest import OVERFLOW, log_in

pytestmark = [pytest.mark.browser, pytest.mark.markup]

PAGES = {
    Role.KELURAHAN: ["/", "/warga/", "/pelatihan/"],
    Role.SUDIN: ["/", "/pelatihan/", "/pelatihan/cakupan/"],
}


@pytest.mark.parametrize("role", list(PAGES))
def test_desk_pages_fit_a_phone(phone_page, live_server, live_places, role):
    page = phone_page
    # A training this semester with a long title (a Sudin home and the list show it).
    today = date.today()
    program = ProgramFactory(
        title="Pelatihan Minuman Herbal dan Jamu Tradisional Angkatan 12",
        start_date=today,
        end_date=today,
    )
    with transaction.atomic():  # the stage sync locks rows (this test is transactional)
        EnrollmentFactory(program=program, resident=resident(registered_on=today))
    staff_user(role, username=f"hp.{role}")
    log_in(page, live_server, f"hp.{role}", PASSWORD)
    page.wait_for_load_state("load")

    wide = []
    for path in PAGES[role]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        found = page.evaluate(OVERFLOW)
        assert found["page"] <= 390, path
        wide += [f"{path}: {line}" for line in found["wide"]]

    assert wide == [], "\n".join(wide)
