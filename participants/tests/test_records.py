"""Keeping records: detail, edit, void, stages, NIK reveal, exports, access log, history."""

import io
import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from accounts.tests.factories import staff_user
from jakpreneur.spreadsheets import cell_text as cell
from participants.models import AccessLog, Resident, StageRecord
from participants.tests.factories import ResidentFactory, StageRecordFactory
from programs.tests.factories import EnrollmentFactory


@pytest.fixture
def joglo(client, places):
    user = staff_user(Role.KELURAHAN, "31.73.08.1005")
    client.force_login(user)
    return user


def test_detail_masks_nik_and_shows_the_timeline(client, joglo):
    resident = ResidentFactory()
    StageRecordFactory(resident=resident, reached_on=date(2025, 4, 2), mentor="Bu Rina")

    page = client.get(resident.get_absolute_url()).content.decode()

    assert resident.nik not in page
    assert f"{resident.nik[:6]}••••••••••" in page
    assert "Pendampingan" in page and "Bu Rina" in page and "02/04/2025" in page


def test_reveal_shows_full_nik_and_writes_the_access_log(client, joglo):
    resident = ResidentFactory()

    response = client.post(
        reverse("participants:reveal_nik", args=[resident.pk]),
        {"reason": "verifikasi KTP"},
    )

    assert resident.nik in response.content.decode()
    log = AccessLog.objects.get()
    assert (log.user, log.resident, log.action, log.reason) == (
        joglo,
        resident,
        "reveal_nik",
        "verifikasi KTP",
    )


def test_reveal_needs_a_reason(client, joglo):
    resident = ResidentFactory()

    response = client.post(
        reverse("participants:reveal_nik", args=[resident.pk]), {"reason": ""}
    )

    assert response.status_code == 400
    assert resident.nik not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_pimpinan_cannot_reveal_a_nik(client, places):
    resident = ResidentFactory()
    client.force_login(staff_user(Role.PIMPINAN, "31.73"))

    response = client.post(
        reverse("participants:reveal_nik", args=[resident.pk]), {"reason": "ingin tahu"}
    )

    assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_export_with_full_nik_is_logged_and_neutralises_formulas(client, joglo):
    ResidentFactory(full_name="=HYPERLINK(1)", address="+62 Jl. Test")

    response = client.get(reverse("participants:export_csv"), {"sort": "full_name"})

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body
    assert "'+62 Jl. Test" in body
    assert Resident.objects.get().nik in body
    log = AccessLog.objects.get()
    assert log.action == "export_list" and log.user == joglo


def test_pimpinan_export_is_masked_shows_ages_and_is_logged(client, places):
    resident = ResidentFactory(birth_date=date(1990, 8, 5))
    client.force_login(staff_user(Role.PIMPINAN, "31.73"))

    response = client.get(reverse("participants:export_xlsx"))

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "NIK" and rows[0][5] == "Usia (tahun)"
    assert rows[1][0] == f"{resident.nik[:6]}••••••••••"
    assert "05/08/1990" not in [str(v) for v in rows[1]]
    log = AccessLog.objects.get()
    assert log.action == "export_list" and "tersamar" in log.detail


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("@SUM", "'@SUM"), ("-2", "'-2"), ("Siti", "Siti"), (None, "")],
)
def test_cells_never_start_a_formula(value, expected):
    assert cell(value) == expected


def test_export_follows_the_filters(client, joglo):
    ResidentFactory(full_name="Perempuan Satu", gender="P")
    ResidentFactory(full_name="Lelaki Dua", gender="L")

    body = b"".join(
        client.get(
            reverse("participants:export_csv"), {"gender": "L"}
        ).streaming_content
    ).decode()

    assert "Lelaki Dua" in body and "Perempuan Satu" not in body


def test_edit_keeps_history_with_masked_nik(client, joglo):
    resident = ResidentFactory(full_name="Siti Aminah")
    data = {
        "nik": resident.nik,
        "full_name": "Siti Aminah Lubis",
        "gender": "P",
        "birth_place": "Jakarta",
        "birth_date": "1990-08-05",
        "phone": "0812 3456 7890",
        "address": "Jl. Baru No. 2",
        "rt": "1",
        "rw": "2",
        "education": "sma",
        "registered_on": "2025-03-01",
        "heard_via": "outreach",
    }

    response = client.post(reverse("participants:edit", args=[resident.pk]), data)

    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.full_name == "Siti Aminah Lubis"
    page = client.get(resident.get_absolute_url()).content.decode()
    assert "Siti Aminah → Siti Aminah Lubis" in page
    assert resident.history.first().history_user == joglo


def test_void_needs_a_reason_and_removes_from_the_active_list(client, joglo):
    resident = ResidentFactory(full_name="Siti Aminah")

    refused = client.post(
        reverse("participants:void", args=[resident.pk]), {"reason": ""}
    )
    client.post(
        reverse("participants:void", args=[resident.pk]),
        {"reason": "pendaftaran ganda"},
    )

    assert refused.status_code == 400
    resident.refresh_from_db()
    assert resident.is_void and resident.void_reason == "pendaftaran ganda"
    assert (
        "Siti Aminah" not in client.get(reverse("participants:list")).content.decode()
    )
    assert (
        "Siti Aminah"
        in client.get(reverse("participants:list"), {"status": "void"}).content.decode()
    )


def test_voided_resident_cannot_be_edited(client, joglo):
    resident = ResidentFactory(is_void=True, void_reason="ganda")

    response = client.get(reverse("participants:edit", args=[resident.pk]))

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"stage": "perizinan", "reached_on": "2025-04-01"},
            "licence_number",
            "Wajib diisi",
        ),
        ({"stage": "pemasaran", "reached_on": "2025-04-01"}, "channel", "Wajib diisi"),
        (
            {"stage": "permodalan", "reached_on": "2025-04-01", "lender": "Bank DKI"},
            "amount",
            "Wajib diisi",
        ),
        (
            {"stage": "pendampingan", "reached_on": "2025-02-01", "mentor": "Bu A"},
            "reached_on",
            "sebelum tanggal pendaftaran",
        ),
        (
            {"stage": "pendampingan", "reached_on": "2099-01-01", "mentor": "Bu A"},
            "reached_on",
            "masa depan",
        ),
        (
            {"stage": "pendaftaran", "reached_on": "2025-04-01"},
            "stage",
            "Masukkan pilihan yang valid",
        ),
    ],
)
def test_stage_evidence_and_dates_are_checked(client, joglo, data, field, message):
    resident = ResidentFactory(registered_on=date(2025, 3, 1))

    response = client.post(
        reverse("participants:stage_create", args=[resident.pk]), data
    )

    assert response.status_code == 400
    assert message in " ".join(response.context["stage_form"].errors[field])
    assert not StageRecord.objects.exists()


def test_stage_is_recorded_and_can_be_undone(client, joglo):
    resident = ResidentFactory()

    client.post(
        reverse("participants:stage_create", args=[resident.pk]),
        {
            "stage": "permodalan",
            "reached_on": "2025-05-01",
            "lender": "Bank DKI",
            "amount": "10000000",
        },
    )
    record = StageRecord.objects.get()
    assert record.evidence == "Bank DKI · Rp10.000.000"
    client.post(reverse("participants:stage_delete", args=[resident.pk, record.pk]))

    assert not StageRecord.objects.exists()
    assert StageRecord.history.filter(history_type="-").count() == 1


def test_filters_by_stage_semester_group_and_kelurahan(client, places):
    client.force_login(staff_user(Role.KECAMATAN, "31.73.08"))
    trained = ResidentFactory(
        full_name="Ada Modal",
        registered_on=date(2024, 2, 1),
        has_business=True,
        business_name="Warung",
        business_sector="makanan",
    )
    StageRecordFactory(
        resident=trained,
        stage="permodalan",
        lender="Bank DKI",
        amount=5_000_000,
        mentor="",
    )
    ResidentFactory(full_name="Belum Apa", registered_on=date(2024, 8, 1))

    def names(**params):
        page = client.get(reverse("participants:list"), params).content.decode()
        return {name for name in ["Ada Modal", "Belum Apa"] if name in page}

    assert names(stage="permodalan") == {"Ada Modal"}
    assert names(semester="2024-S2") == {"Belum Apa"}
    assert names(group="has_business") == {"Ada Modal"}
    assert names(village=trained.village_id) == {"Ada Modal", "Belum Apa"}
    assert names(q="MODAL") == {"Ada Modal"}


def test_list_query_count_does_not_grow_with_rows(
    client, joglo, django_assert_max_num_queries
):
    ResidentFactory.create_batch(2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("participants:list"))
    for resident in ResidentFactory.create_batch(30):
        StageRecordFactory(resident=resident)

    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("participants:list"))

    assert response.status_code == 200
    assert len(many) == len(few)


def test_list_pages_without_a_full_count(client, joglo):
    ResidentFactory.create_batch(30)

    first = client.get(reverse("participants:list")).content.decode()
    second = client.get(reverse("participants:list"), {"page": 2}).content.decode()

    assert "Berikutnya" in first and "page=2" in first
    assert "Berikutnya" not in second
    assert "30 warga" in first


def test_subject_export_json_has_data_and_trail_and_is_logged(client, joglo):
    resident = ResidentFactory()
    client.post(
        reverse("participants:reveal_nik", args=[resident.pk]), {"reason": "cek"}
    )

    response = client.get(reverse("participants:subject_json", args=[resident.pk]))

    data = json.loads(response.content)
    assert data["warga"]["nik"] == resident.nik
    assert [log["tindakan"] for log in data["log_akses"]] == [
        "Melihat NIK lengkap",
        "Ekspor data pribadi untuk warga",
    ]
    assert (
        AccessLog.objects.filter(action="export_subject", resident=resident).count()
        == 1
    )


def test_subject_printable_page(client, joglo):
    resident = ResidentFactory()

    response = client.get(reverse("participants:subject", args=[resident.pk]))

    assert response.status_code == 200
    assert resident.nik in response.content.decode()


def test_nik_search_never_puts_the_nik_in_a_url(client, joglo):
    resident = ResidentFactory()

    found = client.post(reverse("participants:list"), {"q": resident.nik})
    missing = client.post(
        reverse("participants:list"), {"q": "3173084508909999"}, follow=True
    )

    assert found.url == resident.get_absolute_url()
    assert "3173084508909999" not in missing.redirect_chain[-1][0]
    assert "Tidak ada warga dengan NIK itu" in missing.content.decode()


def test_list_shows_the_furthest_stage_reached_pelatihan_included(client, joglo):
    trained = ResidentFactory(full_name="Sudah Pelatihan")
    EnrollmentFactory(resident=trained, status="attended")
    mentored = ResidentFactory(full_name="Sudah Pendampingan")
    StageRecordFactory(resident=mentored, reached_on=date(2025, 4, 2))
    ResidentFactory(full_name="Baru Daftar")

    page = client.get(reverse("participants:list"), {"stage": "pelatihan"})
    everyone = client.get(reverse("participants:list")).content.decode()

    assert [r.full_name for r in page.context["page"].rows] == ["Sudah Pelatihan"]
    assert 'data-stage="pelatihan">Pelatihan<' in page.content.decode()
    assert 'data-stage="pendampingan">Pendampingan<' in everyone
    assert 'data-stage="pendaftaran">Pendaftaran<' in everyone


def test_deleting_a_stage_asks_first_and_recording_one_needs_a_chosen_stage(
    client, joglo
):
    resident = ResidentFactory(registered_on=date(2025, 3, 1))
    record = StageRecordFactory(resident=resident, reached_on=date(2025, 4, 2))
    url = reverse("participants:stage_delete", args=[resident.pk, record.pk])

    asked = client.get(url)
    assert asked.status_code == 200 and "Hapus catatan tahap?" in asked.content.decode()
    assert StageRecord.objects.filter(pk=record.pk).exists()

    nothing = client.post(
        reverse("participants:stage_create", args=[resident.pk]),
        {"reached_on": "2025-05-01"},
    )
    no_mentor = client.post(
        reverse("participants:stage_create", args=[resident.pk]),
        {"stage": "pendampingan", "reached_on": "2025-05-01"},
    )
    page = client.get(resident.get_absolute_url()).content.decode()

    assert nothing.status_code == 400 and no_mentor.status_code == 400
    assert "stage" in nothing.context["stage_form"].errors
    assert "mentor" in no_mentor.context["stage_form"].errors
    assert StageRecord.objects.count() == 1
    assert '<option value="" selected>— pilih tahap —</option>' in page
    assert (
        page.count('id="submit-id-submit"') <= 1 and page.count('id="void_reason"') == 1
    )

    client.post(url)
    assert not StageRecord.objects.filter(pk=record.pk).exists()


def test_voiding_without_a_reason_opens_the_section_with_the_error(client, joglo):
    resident = ResidentFactory()

    response = client.post(reverse("participants:void", args=[resident.pk]), {})

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="void" open' in page
    assert "Pendaftaran belum dibatalkan" in page


def test_filters_that_cannot_change_anything_are_hidden(client, places):
    client.force_login(staff_user(Role.KELURAHAN, "31.73.08.1005"))
    kelurahan = client.get(reverse("participants:list")).content.decode()
    client.force_login(staff_user(Role.KECAMATAN, "31.73.08"))
    kecamatan = client.get(reverse("participants:list")).content.decode()

    assert 'name="district"' not in kelurahan and 'name="village"' not in kelurahan
    assert 'name="district"' not in kecamatan and 'name="village"' in kecamatan
