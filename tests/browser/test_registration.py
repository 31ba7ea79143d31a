import pytest

from accounts.models import Role
from accounts.tests.factories import PASSWORD, staff_user
from participants.models import Resident
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

NIK = "3173084508900001"  # Kembangan, woman born 5 August 1990


def test_kelurahan_staff_registers_a_resident_on_a_phone_and_finds_her(
    phone_page, live_server, live_places
):
    page = phone_page
    staff_user(Role.KELURAHAN, "31.73.08.1005", username="kelurahan.joglo")
    log_in(page, live_server, "kelurahan.joglo", PASSWORD)
    page.wait_for_url(f"{live_server.url}/beranda/kelurahan/")

    # The menu is folded on a phone.
    page.get_by_role("button", name="Buka menu").click()
    # Bootstrap unfolds the menu in a 0.35 s transition; a click on a link while it is still
    # unfolding (a busy CI machine) was lost. Its class is "show" once it is open.
    page.locator("#nav-main.collapse.show").wait_for()
    page.locator("#nav-main").get_by_role("link", name="Daftarkan warga").click()
    page.get_by_label("NIK").fill(NIK)
    # The page tells what the NIK encodes while typing.
    page.locator("#nik-info").get_by_text("5 Agustus 1990").wait_for()
    assert "perempuan" in page.locator("#nik-info").inner_text()
    page.get_by_label("Nama lengkap").fill("Siti Aminah")
    page.get_by_label("Perempuan").check()
    page.get_by_label("Tempat lahir").fill("Jakarta")
    page.get_by_label("Tanggal lahir").fill("1990-08-05")
    page.get_by_label("Nomor HP/telepon").fill("0812 3456 7890")
    page.get_by_label("Alamat").fill("Jl. Joglo Raya No. 5")
    page.get_by_label("RT").fill("5")
    page.get_by_label("RW").fill("2")
    page.get_by_label("Pendidikan terakhir").select_option("sma")
    page.get_by_label("Dari mana tahu tentang Jakpreneur?").select_option("outreach")
    page.get_by_role("button", name="Simpan", exact=True).click()

    page.get_by_role("heading", name="Siti Aminah").wait_for()
    assert "terdaftar di Jakpreneur" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    resident = Resident.objects.get(nik=NIK)
    assert resident.village.code == "31.73.08.1005"

    page.goto(f"{live_server.url}/warga/")
    page.get_by_label("Cari nama atau NIK").fill("aminah")
    page.get_by_role("button", name="Cari").click()
    page.get_by_role("link", name="Siti Aminah").wait_for()
    assert "317308••••••••••" in page.content()
