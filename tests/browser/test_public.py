"""The public pages on a phone (375 × 812): from /program/ to a kecamatan, its open
trainings and the plain note where a Sudin has no field lead, with nothing wider than the
screen."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from programs.models import Agency
from programs.services import field_lead_create
from programs.tests.factories import ProgramFactory
from tests.browser.conftest import OVERFLOW
from wilayah.models import District

pytestmark = pytest.mark.browser


@pytest.fixture
def small_phone(browser):
    context = browser.new_context(
        locale="id-ID",
        timezone_id="Asia/Jakarta",
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


def test_a_resident_finds_a_training_and_whom_to_ask_on_a_phone(
    small_phone, live_server, live_places
):
    today = timezone.localdate()
    kembangan = District.objects.get(code="31.73.08")
    with transaction.atomic():
        ProgramFactory(
            title="Pelatihan Minuman Herbal dan Jamu Tradisional Angkatan 12",
            start_date=today + timedelta(days=7),
            end_date=today + timedelta(days=9),
            capacity=25,
        )
        field_lead_create(
            agency=Agency.objects.get(city__code="31.73", short_name="PPKUKM"),
            district=kembangan,
            name="Rudi Hartono",
            office_phone="(021) 5890 2001",
        )
    page = small_phone

    page.goto(f"{live_server.url}/program/")
    page.wait_for_load_state("load")
    assert page.evaluate(OVERFLOW) == {"page": 375, "wide": []}
    page.get_by_role("link", name="Kembangan", exact=True).click()
    page.wait_for_load_state("load")

    assert page.url.endswith("/program/kembangan/")
    assert page.get_by_role("heading", name="Kecamatan Kembangan", level=1).is_visible()
    training = page.locator('[data-list="here"] li').first
    assert "Jamu Tradisional" in training.inner_text()
    assert "25 dari 25" in training.inner_text()
    assert "Rudi Hartono" in page.locator('[data-agency="PPKUKM"]').inner_text()
    note = page.locator('[data-agency="Parekraf"] .no-lead')
    assert note.is_visible()
    assert (
        "Sudin Parekraf belum punya Kasatlak/Kasatpel di Kecamatan Kembangan"
        in note.inner_text()
    )
    assert page.evaluate(OVERFLOW) == {"page": 375, "wide": []}
