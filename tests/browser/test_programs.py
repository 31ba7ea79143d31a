from datetime import timedelta

import pytest

from accounts.models import Role
from accounts.tests.factories import PASSWORD, staff_user
from participants.tests.factories import ResidentFactory
from programs.models import Enrollment, Program
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_sudin_creates_a_programme_enrols_by_nik_and_marks_attendance(
    page, live_server, live_places, today
):
    resident = ResidentFactory(
        full_name="Dewi Lestari", registered_on=today - timedelta(days=30)
    )
    staff_user(Role.SUDIN, "31.73:PPKUKM", username="sudin.ppkukm")
    log_in(page, live_server, "sudin.ppkukm", PASSWORD)

    page.goto(f"{live_server.url}/pelatihan/tambah/")
    page.get_by_label("Judul pelatihan").fill("Olahan Kue Basah")
    page.get_by_label("Kategori").select_option("makanan")
    page.get_by_label("Status").select_option("open")
    page.get_by_label("Kecamatan tempat pelatihan").select_option(label="Kembangan")
    page.get_by_label("Kuota peserta").fill("20")
    page.get_by_label("Alamat tempat").fill("Aula Kantor Kecamatan Kembangan")
    page.get_by_label("Tanggal mulai").fill(today.isoformat())
    page.get_by_label("Tanggal selesai").fill((today + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Simpan").click()

    program = Program.objects.get()
    page.get_by_text(program.code).first.wait_for()
    assert program.code == f"JB-PPKUKM-{today.year}-001"

    page.get_by_label("NIK warga").fill(resident.nik)
    page.get_by_role("button", name="Daftarkan", exact=True).click()
    page.get_by_text("Dewi Lestari didaftarkan ke pelatihan").wait_for()

    page.get_by_label("Status Dewi Lestari").select_option("attended")
    page.get_by_role("button", name="Simpan kehadiran").click()
    page.get_by_text("Kehadiran disimpan").wait_for()

    enrollment = Enrollment.objects.get()
    assert enrollment.status == Enrollment.Status.ATTENDED
    resident.refresh_from_db()
    assert resident.trained_on == today
