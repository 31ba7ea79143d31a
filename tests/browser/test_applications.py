"""Issue 13: a resident applies on a phone, later reads the status; the kelurahan accepts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import PASSWORD, staff_user
from applications.models import Application
from applications.tests.factories import ApplicationFactory
from participants.models import Channel, Resident
from tests.browser.conftest import OVERFLOW, log_in

pytestmark = pytest.mark.browser

NIK = "3173085704920001"  # Kembangan, a woman born 17 April 1992


@pytest.fixture
def small_phone(browser):
    """375×812, the phone the issue names."""
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


def test_a_resident_applies_on_a_phone_and_reads_the_status(
    small_phone, live_server, live_places
):
    page = small_phone
    page.goto(f"{live_server.url}/program/daftar/?kecamatan=31.73.08")
    assert page.evaluate(OVERFLOW)["page"] <= 375

    page.get_by_label("NIK").fill(NIK)
    page.get_by_label("Nama lengkap").fill("Rina Wati")
    page.get_by_label("Perempuan").check()
    page.get_by_label("Tanggal lahir").fill("1992-04-17")
    page.get_by_label("Nomor HP").fill("0812 9876 5432")
    page.get_by_label("Kelurahan tempat tinggal Anda").select_option(label="Joglo")
    page.get_by_label("Alamat").fill("Jl. Joglo Baru No. 7")
    page.get_by_label("Makanan").check()
    page.get_by_label("Media sosial").check()
    page.get_by_label("Saya sudah membaca pemberitahuan privasi").check()
    page.get_by_role("button", name="Kirim pengajuan").click()

    code = page.locator("#application-code").inner_text()
    application = Application.objects.get()
    assert code.replace("-", "") == application.code
    assert page.evaluate(OVERFLOW)["page"] <= 375

    page.get_by_role("link", name="Cek status pengajuan").click()
    page.get_by_label("Kode pengajuan").fill(code.lower())
    page.get_by_label("Tanggal lahir").fill("1992-04-17")
    page.get_by_role("button", name="Cek status").click()
    result = page.locator("#status-result")
    result.wait_for()
    assert "menunggu verifikasi kelurahan" in result.inner_text()
    assert page.evaluate(OVERFLOW)["page"] <= 375


def test_the_kelurahan_accepts_an_application_from_its_queue(
    small_phone, live_server, live_places, today
):
    page = small_phone
    application = ApplicationFactory(
        nik=NIK, full_name="Rina Wati", applied_at=timezone.now() - timedelta(days=3)
    )
    staff_user(Role.KELURAHAN, "31.73.08.1005", username="kelurahan.joglo")
    log_in(page, live_server, "kelurahan.joglo", PASSWORD)
    page.wait_for_url(f"{live_server.url}/beranda/kelurahan/")

    page.get_by_role("link", name="1 pengajuan menunggu").click()
    page.get_by_role("link", name="Rina Wati").click()
    page.get_by_role("link", name="Setujui dan lengkapi pendaftaran").click()
    assert page.get_by_label("NIK").input_value() == "317308••••••••••"
    page.get_by_label("Tempat lahir").fill("Jakarta")
    page.get_by_label("RT").fill("5")
    page.get_by_label("RW").fill("2")
    page.get_by_label("Pendidikan terakhir").select_option("sma")
    page.get_by_role("button", name="Simpan", exact=True).click()

    page.get_by_role("heading", name="Rina Wati").wait_for()
    assert "disetujui" in page.content()
    assert page.evaluate(OVERFLOW)["page"] <= 375
    resident = Resident.objects.get()
    assert (resident.nik, resident.registered_on, resident.channel) == (
        NIK,
        today,
        Channel.ONLINE,
    )
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
