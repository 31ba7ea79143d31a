from datetime import date

import pytest

from accounts.models import Role
from accounts.tests.factories import PASSWORD, staff_user
from imports.models import ImportJob
from imports.tests.helpers import nik, row, run_worker, xlsx_bytes
from participants.models import Resident
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_clerk_uploads_a_sheet_watches_the_check_reads_the_preview_and_commits(
    page, live_server, live_places, tmp_path
):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    staff_user(Role.KELURAHAN, "31.73.08.1005", username="kelurahan.joglo")
    sheet = tmp_path / "warga-joglo.xlsx"
    sheet.write_bytes(
        xlsx_bytes(
            [
                row(1, tanggal_lahir=date(1990, 8, 5)),
                row(2),
                row(3, tanggal_lahir="31/02/1990"),
            ]
        )
    )
    log_in(page, live_server, "kelurahan.joglo", PASSWORD)

    page.get_by_role("link", name="Impor").first.click()
    page.get_by_label("Berkas XLSX atau CSV").set_input_files(str(sheet))
    page.get_by_role("button", name="Unggah dan periksa").click()

    # The job waits for a worker: the page shows its progress bar and keeps polling.
    page.locator("#import-progress").wait_for()
    run_worker()
    page.locator("#import-summary").wait_for()
    summary = page.locator("#import-summary").inner_text()
    assert "Warga baru\n2" in summary
    issues = page.locator("#import-issues").inner_text()
    assert "tanggal_lahir" in issues and "tidak sah" in issues
    assert not Resident.objects.exists()

    page.get_by_role("button", name="Simpan baris yang benar").click()
    page.locator("#import-progress").wait_for()
    run_worker()
    page.get_by_text("Impor selesai disimpan.").wait_for()

    assert set(Resident.objects.values_list("nik", flat=True)) == {nik(1), nik(2)}
    assert ImportJob.objects.get().status == ImportJob.Status.DONE
    assert violations == []
