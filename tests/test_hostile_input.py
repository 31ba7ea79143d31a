"""What the security review's fuzzer sent, through the real URLs as the right role: no 500.

- control characters in text: cleaned on the way in (app forms, admin), and exports of
  text stored before (or written around the services) still open in Excel/openpyxl;
- numbers that are not ASCII digits, or too big: a normal page, never a 500;
- NUL bytes in the path, the query string or a form: 400 with an Indonesian page.
"""

import io
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from accounts.tests.factories import staff_user
from participants.identity import nik_build
from participants.models import AccessLog, Resident
from participants.tests.factories import ResidentFactory
from programs.models import Enrollment, Program
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from reports.tests.factories import jakarta_barat_period
from wilayah.models import District, Village

ESC = "\x1b"
# What the fuzzer found, and what else isn't an ASCII number of sane size. In a query
# string ten digits or more are taken for a NIK and dropped with a redirect
# (participants.middleware), so GETs try the biggest number that gets through.
BAD_NUMBERS = ["²", "٣", "１", "-1", "0", "1e3", " 7", "7\n", "2²"]
BAD_GET_NUMBERS = [*BAD_NUMBERS, "999999999"]
BAD_POST_NUMBERS = [*BAD_NUMBERS, "99999999999999999999"]


def client_for(role: str, scope: str = "") -> Client:
    client = Client()
    client.force_login(staff_user(role, scope))
    return client


@pytest.fixture
def joglo(places):
    return client_for(Role.KELURAHAN, "31.73.08.1005")


@pytest.fixture
def sudin(places):
    return client_for(Role.SUDIN, "31.73:PPKUKM")


@pytest.fixture
def sekkota(places):
    return client_for(Role.PIMPINAN, "31.73")


@pytest.fixture
def admin_client(places):
    return client_for(Role.ADMIN)


@pytest.fixture
def program(places, today):
    """A PPKUKM class running now, so attendance can be taken."""
    return ProgramFactory(
        start_date=today - timedelta(days=1), end_date=today + timedelta(days=1)
    )


def workbook_of(response):
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.content))


def all_values(workbook) -> list:
    return [
        value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    ]


# --- Control characters ---------------------------------------------------------------


def registration(**overrides):
    data = {
        "nik": nik_build(
            district_code="31.73.08",
            birth_date=date(1990, 8, 5),
            gender="P",
            serial=77,
        ),
        "kk_number": "",
        "full_name": f"Siti{ESC} Aminah",
        "gender": "P",
        "birth_place": f"Jakarta{ESC}[2J",
        "birth_date": "1990-08-05",
        "phone": "0812-3456-7890",
        "email": "",
        "address": f"Jl. Mawar{ESC}[31m\x07 No. 5\tBlok\x7f C",
        "rt": "5",
        "rw": "2",
        "education": "sma",
        "registered_on": "2025-03-01",
        "heard_via": "outreach",
        "has_business": "on",
        "business_name": "Warung\x9b Bu Siti",
        "business_sector": "makanan",
    }
    data.update(overrides)
    return data


def test_registration_stores_clean_text_and_the_export_opens(joglo):
    response = joglo.post(reverse("participants:create"), registration())

    resident = Resident.objects.get()
    assert response.status_code == 302
    assert resident.full_name == "Siti Aminah"
    assert resident.birth_place == "Jakarta[2J"
    assert resident.address == "Jl. Mawar[31m No. 5 Blok C"
    assert resident.business_name == "Warung Bu Siti"
    values = all_values(workbook_of(joglo.get(reverse("participants:export_xlsx"))))
    assert "Jl. Mawar[31m No. 5 Blok C" in values


def test_edit_form_cleans_text_too(joglo):
    resident = ResidentFactory()

    response = joglo.post(
        reverse("participants:edit", args=[resident.pk]),
        registration(nik="", full_name=resident.full_name, address=f"Jl. Baru{ESC} 9"),
    )

    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.address == "Jl. Baru 9"


def test_training_title_is_stored_clean_and_the_roster_opens(sudin, today):
    response = sudin.post(
        reverse("programs:create"),
        {
            "title": f"Batik{ESC}[1m Tulis\x08",
            "category": "kerajinan",
            "district": District.objects.get(code="31.73.08").pk,
            "venue": f"RPTRA{ESC} Joglo",
            "start_date": "2025-05-01",
            "end_date": "2025-05-03",
            "capacity": "25",
            "status": "open",
        },
    )

    program = Program.objects.get()
    assert response.status_code == 302
    assert (program.title, program.venue) == ("Batik[1m Tulis", "RPTRA Joglo")
    EnrollmentFactory(program=program)
    rows = list(
        workbook_of(
            sudin.get(reverse("programs:roster_xlsx", args=[program.pk]))
        ).active.values
    )
    assert rows[0][:2] == (program.code, "Batik[1m Tulis")


def test_admin_writes_are_cleaned_like_the_app(admin_client, program):
    joglo = Village.objects.get(code="31.73.08.1005")
    url = reverse("admin:wilayah_village_change", args=[joglo.pk])

    response = admin_client.post(
        url,
        {"code": joglo.code, "name": f"Joglo{ESC}[0m", "district": joglo.district_id},
    )

    assert response.status_code == 302
    joglo.refresh_from_db()
    assert joglo.name == "Joglo[0m"


def test_admin_service_save_cleans_text(admin_client, program):
    url = reverse("admin:programs_program_change", args=[program.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {
        name: form[name].value()
        for name in form.fields
        if form[name].value() is not None
    }
    data.update(
        {
            "title": f"Olahan{ESC} Makanan",
            "start_date": program.start_date.isoformat(),
            "end_date": program.end_date.isoformat(),
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    program.refresh_from_db()
    assert program.title == "Olahan Makanan"


@pytest.mark.parametrize("fmt", ["export_xlsx", "export_csv"])
def test_exports_open_and_are_logged_even_with_controls_stored_before(places, fmt):
    """Rows written before the cleaning (or around the services) must not break exports.
    (No NUL among them: PostgreSQL never stores one.)"""
    ResidentFactory(
        address=f"Jl. Mawar{ESC}[31m No. 5\x01",
        full_name="=HYPERLINK(\x07)",
        business_name="Warung\x9b\ufffe",
    )
    client = client_for(Role.KECAMATAN, "31.73.08")

    response = client.get(reverse(f"participants:{fmt}"), {"status": "all"})

    if fmt == "export_xlsx":
        values = all_values(workbook_of(response))
        assert "Jl. Mawar[31m No. 5" in values
        assert "'=HYPERLINK()" in values
        assert "Warung" in values
    else:
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert ESC not in body and "\x01" not in body and "Jl. Mawar[31m No. 5" in body
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT_LIST).count() == 1


def test_roster_and_progress_exports_open_with_controls_stored_before(
    sudin, sekkota, program
):
    Program.objects.filter(pk=program.pk).update(title=f"Batik{ESC}[1m\x02 Tulis")
    EnrollmentFactory(
        program=program, resident=ResidentFactory(full_name=f"Siti{ESC} Aminah")
    )
    District.objects.filter(code="31.73.08").update(name=f"Kembangan{ESC}")
    jakarta_barat_period()

    roster = all_values(
        workbook_of(sudin.get(reverse("programs:roster_xlsx", args=[program.pk])))
    )
    progress = all_values(
        workbook_of(sekkota.get(reverse("reports:export_xlsx"), {"kota": "31.73"}))
    )
    csv = sekkota.get(reverse("reports:export_csv"), {"kota": "31.73"})

    assert "Batik[1m Tulis" in roster and "Siti Aminah" in roster
    assert "Kembangan" in progress
    assert ESC not in csv.content.decode()


def test_a_failed_export_writes_no_access_log_row(places, monkeypatch):
    ResidentFactory()
    client = client_for(Role.KELURAHAN, "31.73.08.1005")
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise RuntimeError("the workbook could not be built")

    monkeypatch.setattr("participants.views.resident_xlsx", broken)

    response = client.get(reverse("participants:export_xlsx"))

    assert response.status_code == 500
    assert not AccessLog.objects.exists()


def test_resident_xlsx_is_made_for_excel(places):
    resident = ResidentFactory(business_started_year=2019)
    client = client_for(Role.KELURAHAN, "31.73.08.1005")

    sheet = workbook_of(client.get(reverse("participants:export_xlsx"))).active

    header = [c.value for c in sheet[1]]
    row = dict(zip(header, sheet[2], strict=True))
    assert header[:3] == ["NIK", "Nomor KK", "Nama lengkap"]
    assert sheet.freeze_panes == "A2"
    assert row["Tanggal lahir"].value.date() == resident.birth_date
    assert row["Tanggal lahir"].number_format == "dd/mm/yyyy"
    assert row["Tanggal pendaftaran"].value.date() == resident.registered_on
    assert row["Tahun mulai usaha"].value == 2019
    assert row["RT"].value == "001"  # a code with its zeros, not a number
    assert sheet.column_dimensions["C"].width >= 20
    assert all(
        sheet.column_dimensions[c.column_letter].width >= len(str(c.value))
        for c in sheet[1]
    )
    masked = client_for(Role.PIMPINAN, "31.73").get(reverse("participants:export_xlsx"))
    age = workbook_of(masked).active["F2"].value
    assert isinstance(age, int)


def test_resident_csv_keeps_its_documented_shape(places):
    ResidentFactory(business_started_year=None)
    client = client_for(Role.KELURAHAN, "31.73.08.1005")

    body = b"".join(
        client.get(reverse("participants:export_csv")).streaming_content
    ).decode("utf-8-sig")

    header, row = body.splitlines()[:2]
    assert header.startswith("NIK,Nomor KK,Nama lengkap,Jenis kelamin,Tempat lahir,")
    assert ",05/08/1990," in row and ",01/03/2025," in row


# --- Numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", BAD_GET_NUMBERS)
def test_bad_page_numbers_show_the_first_page(joglo, value):
    ResidentFactory()

    response = joglo.get(reverse("participants:list"), {"page": value})

    assert response.status_code == 200
    assert response.context["page"].number == 1


@pytest.mark.parametrize("value", [*BAD_POST_NUMBERS, "1000"])
def test_bad_rt_is_a_field_error(joglo, value):
    response = joglo.post(reverse("participants:create"), registration(rt=value))

    if value.strip() == "7":  # the form strips spaces around what is typed
        assert response.status_code == 302
        assert Resident.objects.get().rt == "007"
        return
    assert response.status_code == 200
    assert response.context["form"].errors[
        "rt"
    ]  # "Isi dengan angka 1–999", or too long
    assert not Resident.objects.exists()


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_bad_period_shows_the_active_one(sekkota, value):
    period = jakarta_barat_period()

    for name in ("reports:dashboard", "reports:export_csv", "reports:export_xlsx"):
        response = sekkota.get(reverse(name), {"kota": "31.73", "periode": value})
        assert response.status_code == 200, (name, response.status_code)
    page = sekkota.get(reverse("reports:dashboard"), {"periode": value})
    assert page.context["period"] == period


def test_a_period_that_does_not_exist_is_not_found(sekkota):
    jakarta_barat_period()

    response = sekkota.get(reverse("reports:dashboard"), {"periode": "999999999"})

    assert response.status_code == 404


@pytest.mark.parametrize("value", BAD_GET_NUMBERS)
def test_bad_district_gives_a_village_list(places, value):
    client = client_for(Role.KECAMATAN, "31.73.08")

    response = client.get(reverse("participants:village_options"), {"district": value})

    assert response.status_code == 200
    # Not a number: the filter is ignored; a number of no kecamatan: none of its villages.
    assert response.context["villages"].count() == (0 if value == "999999999" else 6)


@pytest.mark.parametrize("value", BAD_GET_NUMBERS)
def test_bad_village_on_the_checklist_shows_no_list(sudin, program, value):
    shown = sudin.get(
        reverse("programs:enroll_village", args=[program.pk]), {"village": value}
    )

    assert shown.status_code == 200 and shown.context["village"] is None


@pytest.mark.parametrize("value", BAD_POST_NUMBERS)
def test_bad_village_and_residents_on_the_checklist(sudin, program, value):
    url = reverse("programs:enroll_village", args=[program.pk])

    posted = sudin.post(url, {"village": value, "residents": [value]})
    joglo = Village.objects.get(code="31.73.08.1005")
    chosen = sudin.post(url, {"village": joglo.pk, "residents": [value]})

    assert posted.status_code == 200 and posted.context["village"] is None
    assert chosen.status_code == 400
    assert "Pilih minimal satu warga" in chosen.content.decode()
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("value", BAD_POST_NUMBERS)
def test_bad_roster_keys_are_ignored(sudin, program, value):
    enrollment = EnrollmentFactory(program=program)

    response = sudin.post(
        reverse("programs:roster", args=[program.pk]),
        urlencode(
            {f"status-{value}": "attended", f"status-{enrollment.pk}": "attended"}
        ),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == "attended"


@pytest.mark.parametrize(
    "value", ["٢٠٢٤-S1", "²", "99999-S1", "2024-S1\x1b", "0000-S1"]
)
def test_bad_semesters_in_report_ranges_and_filters(sekkota, value):
    jakarta_barat_period()

    report = sekkota.get(
        reverse("reports:breakdowns"), {"dari": value, "sampai": value}
    )
    residents = sekkota.get(reverse("participants:list"), {"semester": value})
    programs = sekkota.get(reverse("programs:list"), {"semester": value})

    assert [report.status_code, residents.status_code, programs.status_code] == [
        200,
        200,
        200,
    ]


# --- NUL bytes --------------------------------------------------------------------------


def assert_refused(response):
    assert response.status_code == 400
    assert "Permintaan tidak dapat diproses" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("reports:dashboard", {"kota": "31.73\x00"}),
        ("programs:coverage", {"kota": "\x00"}),
        ("participants:list", {"q\x00": "x"}),
        ("participants:list", {"status": "all", "district": "1\x00"}),
    ],
)
def test_nul_in_a_query_string_is_refused(sekkota, url, params):
    jakarta_barat_period()

    assert_refused(sekkota.get(reverse(url), params))


def test_nul_in_the_raw_query_string_and_path_is_refused(sekkota):
    assert_refused(sekkota.get("/laporan/?kota=%00"))
    assert_refused(sekkota.get("/warga/%00/"))


def test_nul_in_a_cookie_or_header_is_refused(sekkota, places):
    sekkota.cookies["sessionid"] = "abcdefgh\x00"

    assert_refused(sekkota.get(reverse("participants:list")))
    assert_refused(Client().post(reverse("login"), HTTP_USER_AGENT="x\x00y"))


def test_nul_in_nik_lookup_is_refused_and_logs_nothing(sudin):
    response = sudin.post(reverse("participants:lookup"), {"nik": "3173\x00"})

    assert_refused(response)
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize(
    "params",
    [{"q": "\x00"}, {"role__exact": "\x00"}, {"village__id__exact": "1\x00"}],
)
def test_nul_in_admin_search_and_filters_is_refused(admin_client, params):
    assert_refused(
        admin_client.get(reverse("admin:accounts_staffprofile_changelist"), params)
    )


def test_nul_in_a_form_key_is_refused_and_nothing_is_written(joglo):
    response = joglo.post(
        reverse("participants:create"), {**registration(), "x\x00": "1"}
    )

    assert_refused(response)
    assert not Resident.objects.exists()
