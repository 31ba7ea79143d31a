"""Targets, the dashboard and its exports: scoping, exact CSV, query counts, command."""

import io
import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from accounts.tests.factories import staff_user
from programs.models import Agency
from programs.services import field_lead_create
from programs.tests.factories import EnrollmentFactory
from reports.exports import HEADER, XLSX_HEADER
from reports.models import AgencyTarget
from reports.services import period_create, semester_targets_check, spread
from reports.tests.factories import KAPUK, jakarta_barat_period, resident
from wilayah.models import City, District


@pytest.fixture
def period(places):
    return jakarta_barat_period()


@pytest.fixture
def sekkota(client, places):
    client.force_login(staff_user(Role.PIMPINAN, "31.73"))
    return client


def test_targets_spread_evenly_with_the_remainder_last():
    assert spread(200_000, 10) == [20_000] * 10
    assert spread(100_003, 10) == [10_000] * 9 + [10_003]
    assert sum(spread(7, 3)) == 7


def test_semester_targets_must_add_up_to_the_total(period):
    targets = {str(s): 20_000 for s in period.semester_list}
    semester_targets_check(total=200_000, targets=targets, period=period)

    targets["2024-S1"] = 25_000
    with pytest.raises(ValidationError, match="selisih \\+5.000"):
        semester_targets_check(total=200_000, targets=targets, period=period)
    with pytest.raises(ValidationError, match="di luar periode"):
        semester_targets_check(total=20_000, targets={"2030-S1": 20_000}, period=period)


def test_admin_is_told_the_difference_when_overrides_do_not_add_up(client, period):
    client.force_login(staff_user(Role.ADMIN))
    target = period.district_targets.get(district__code="31.73.08")
    rows = list(target.semester_targets.order_by("semester"))
    data = {
        "total": "200000",
        "district": target.district_id,
        "period": period.pk,
        "semester_targets-TOTAL_FORMS": str(len(rows)),
        "semester_targets-INITIAL_FORMS": str(len(rows)),
        "semester_targets-MIN_NUM_FORMS": "0",
        "semester_targets-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        data.update(
            {
                f"semester_targets-{n}-id": row.pk,
                f"semester_targets-{n}-district_target": target.pk,
                f"semester_targets-{n}-semester": row.semester,
                f"semester_targets-{n}-target": "30000" if n == 0 else str(row.target),
            }
        )

    response = client.post(
        reverse("admin:reports_districttarget_change", args=[target.pk]), data
    )

    assert response.status_code == 200
    assert "selisih +10.000" in response.content.decode()
    assert target.semester_targets.get(semester="2023-S1").target == 20_000

    data["total"] = "210000"
    assert (
        client.post(
            reverse("admin:reports_districttarget_change", args=[target.pk]), data
        ).status_code
        == 302
    )
    assert target.semester_targets.get(semester="2023-S1").target == 30_000


def test_csv_header_and_exact_rows_of_a_small_dataset(sekkota, period):
    resident(registered_on=date(2023, 3, 1))
    resident(registered_on=date(2023, 8, 1))
    resident(village=KAPUK, registered_on=date(2023, 8, 2))

    response = sekkota.get(
        reverse("reports:export_csv"), {"kota": "31.73", "periode": period.pk}
    )

    assert response.content.startswith("\ufeff".encode())  # Excel reads UTF-8 right
    lines = response.content.decode("utf-8-sig").splitlines()
    assert (
        lines[0]
        == ",".join(HEADER)
        == "kode,wilayah,semester,target,baru,kumulatif,target_kumulatif,persen,persen_kumulatif"
    )
    assert len(lines) == 1 + 8 * 10 + 10
    assert lines[1] == "31.73.01,Cengkareng,2023-S1,20000,0,0,20000,0.0,0.0"
    assert lines[2] == "31.73.01,Cengkareng,2023-S2,20000,1,1,40000,0.0,0.0"
    kembangan = [line for line in lines if line.startswith("31.73.08,")]
    assert kembangan[:2] == [
        "31.73.08,Kembangan,2023-S1,20000,1,1,20000,0.0,0.0",
        "31.73.08,Kembangan,2023-S2,20000,1,2,40000,0.0,0.0",
    ]
    assert lines[-10] == "31.73,Jakarta Barat,2023-S1,160000,1,1,160000,0.0,0.0"
    assert lines[-9] == "31.73,Jakarta Barat,2023-S2,160000,2,3,320000,0.0,0.0"


def test_percentages_have_one_decimal_with_a_dot(sekkota, places):
    period = jakarta_barat_period(default_total=20)  # 2 per semester
    resident(registered_on=date(2023, 3, 1))

    lines = (
        sekkota.get(
            reverse("reports:export_csv"), {"kota": "31.73", "periode": period.pk}
        )
        .content.decode("utf-8-sig")
        .splitlines()
    )

    assert "31.73.08,Kembangan,2023-S1,2,1,1,2,50.0,50.0" in lines


def test_command_csv_is_byte_identical_to_the_web_export(sekkota, period):
    resident(registered_on=date(2024, 3, 1))
    out = StringIO()

    call_command("progress_report", "--kota", "31.73", "--format", "csv", stdout=out)

    web = sekkota.get(reverse("reports:export_csv"), {"kota": "31.73"}).content
    assert out.getvalue().encode() == web


def test_command_table_and_json_and_errors(period):
    resident(registered_on=date(2024, 3, 1))
    table, js = StringIO(), StringIO()

    call_command("progress_report", "--kota", "31.73", stdout=table)
    call_command("progress_report", "--kota", "31.73", "--format", "json", stdout=js)

    assert table.getvalue().splitlines()[0].split() == HEADER
    assert json.loads(js.getvalue())["kota"]["kumulatif"] == 1
    with pytest.raises(CommandError, match="tidak ada"):
        call_command("progress_report", "--kota", "99.99", stdout=StringIO())
    with pytest.raises(CommandError, match="belum punya periode target"):
        call_command("progress_report", "--kota", "31.71", stdout=StringIO())


def test_xlsx_has_the_sheet_and_one_chart_sheet_per_stage(sekkota, period):
    resident(registered_on=date(2024, 3, 1))

    response = sekkota.get(reverse("reports:export_xlsx"), {"kota": "31.73"})

    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "capaian"
    sheet = book["capaian"]
    assert [c.value for c in sheet[1]] == XLSX_HEADER
    assert sheet.freeze_panes == "A2"
    kembangan = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "31.73.08")
    assert [c.value for c in kembangan[3:7]] == [20000, 0, 0, 20000]
    assert kembangan[7].value == 0 and kembangan[7].number_format == "0.0"  # a number
    assert len(book.sheetnames) == 1 + 7
    pendaftaran = list(book["Pendaftaran"].values)
    assert pendaftaran[0][0] == "Semester" and pendaftaran[0][-1] == "Jakarta Barat"
    assert pendaftaran[3][0] == "2024-S1" and pendaftaran[3][-1] == 1


def test_json_feed(sekkota, period):
    resident(registered_on=date(2024, 3, 1))

    data = sekkota.get(reverse("reports:export_json"), {"kota": "31.73"}).json()

    assert data["kota"]["kode"] == "31.73"
    assert data["kota"]["target_total"] == 1_600_000
    assert len(data["kecamatan"]) == 8


@pytest.mark.parametrize(
    "name",
    ["reports:dashboard", "reports:export_csv", "reports:breakdowns", "reports:print"],
)
def test_pimpinan_of_jakarta_barat_cannot_see_jakarta_timur(sekkota, period, name):
    assert sekkota.get(reverse(name), {"kota": "31.75"}).status_code == 403


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.KELURAHAN, "31.73.08.1005"),
        (Role.KECAMATAN, "31.73.08"),
        (Role.SUDIN, "31.73:PPKUKM"),
    ],
)
@pytest.mark.parametrize(
    "name", ["reports:dashboard", "reports:export_csv", "reports:export_json"]
)
def test_other_roles_get_403(client, period, role, scope, name):
    client.force_login(staff_user(role, scope))

    assert client.get(reverse(name)).status_code == 403


def test_admin_reads_any_kota(client, places):
    period_create(
        city=City.objects.get(code="31.75"), name="Timur", start_semester="2023-S1"
    )
    client.force_login(staff_user(Role.ADMIN))

    response = client.get(reverse("reports:dashboard"), {"kota": "31.75"})

    assert response.status_code == 200
    assert "Jakarta Timur" in response.content.decode()


def test_pimpinan_lands_on_the_dashboard_and_sees_a_new_registration_at_once(
    sekkota, current_period, today, django_capture_on_commit_callbacks
):
    page = sekkota.get(reverse("home:home"), follow=True)
    assert page.redirect_chain[-1][0] == reverse("reports:dashboard")
    before = page.context["area"].cumulative

    with django_capture_on_commit_callbacks(execute=True):  # the write commits
        resident(registered_on=today)

    assert (
        sekkota.get(reverse("reports:dashboard")).context["area"].cumulative
        == before + 1
    )


def test_dashboard_query_count_does_not_grow_with_residents(
    sekkota, period, django_capture_on_commit_callbacks
):
    resident(registered_on=date(2024, 3, 1))
    with CaptureQueriesContext(connection) as few:
        sekkota.get(reverse("reports:dashboard"))
    with django_capture_on_commit_callbacks(execute=True):  # committed: recomputed
        for n in range(30):
            resident(
                village=KAPUK if n % 2 else "31.73.08.1005",
                registered_on=date(2023 + n % 3, 1 + n % 12, 1),
            )

    with CaptureQueriesContext(connection) as many:
        response = sekkota.get(reverse("reports:dashboard"))

    assert response.status_code == 200
    # (fewer: the coverage of field leads, which no registration moves, was kept)
    assert len(many) <= len(few)
    with CaptureQueriesContext(connection) as export:
        sekkota.get(reverse("reports:export_csv"))
    assert len(export) <= len(many)


def test_district_page_and_breakdowns_sum_to_the_headline(sekkota, period):
    resident(registered_on=date(2024, 3, 1), gender="L")
    resident(registered_on=date(2024, 4, 1), gender="P")

    page = sekkota.get(reverse("reports:district", args=["31.73.08"]))
    city = sekkota.get(reverse("reports:breakdowns"))

    assert page.status_code == 200 and page.context["headline"] == 2
    assert city.context["headline"] == 2
    assert (
        sekkota.get(reverse("reports:district", args=["31.71.01"])).status_code == 404
    )


def test_print_page_is_a4_in_indonesian(sekkota, period):
    page = sekkota.get(reverse("reports:print")).content.decode()

    # The page layout lives in a stylesheet: the Content-Security-Policy forbids inline ones.
    assert 'href="/static/css/print.css"' in page
    assert "size: A4" in Path(finders.find("css/print.css")).read_text()
    assert "LAPORAN CAPAIAN PROGRAM JAKPRENEUR" in page
    assert "Kembangan" in page


def test_drill_down_to_kelurahan_by_semester(sekkota, period):
    resident(registered_on=date(2024, 3, 1))
    resident(registered_on=date(2024, 8, 1))
    resident(village="31.73.08.1001", registered_on=date(2024, 8, 2))

    page = sekkota.get(
        reverse("reports:district", args=["31.73.08"]),
        {"dari": "2024-S1", "sampai": "2024-S2"},
    )

    rows = {
        row.village.name: (row.counts, row.total)
        for row in page.context["village_rows"]
    }
    assert rows["Joglo"] == ([1, 1], 2)
    assert rows["Kembangan Utara"] == ([0, 1], 1)
    assert (
        sum(total for _counts, total in rows.values()) == page.context["headline"] == 3
    )


def test_sudin_targets_show_beside_what_was_counted(sekkota, period):
    AgencyTarget.objects.create(
        period=period,
        agency=Agency.objects.get(city__code="31.73", short_name="PPKUKM"),
        total=500,
    )
    EnrollmentFactory(
        resident=resident(registered_on=date(2024, 3, 1)),
        enrolled_on=date(2024, 4, 1),
        status="attended",
    )
    resident(registered_on=date(2024, 3, 1))  # never trained: not PPKUKM's

    page = sekkota.get(reverse("reports:breakdowns"))

    assert page.context["agency_targets"] == [("PPKUKM", 1, 500)]


def test_a_kota_with_nothing_recorded_says_so_instead_of_far_behind(client, places):
    period_create(
        city=City.objects.get(code="31.71"), name="Pusat", start_semester="2023-S1"
    )
    client.force_login(staff_user(Role.ADMIN))

    page = client.get(reverse("reports:dashboard"), {"kota": "31.71"}).content.decode()

    assert 'data-state="empty"' in page
    assert "Jauh tertinggal" not in page


def test_dashboard_reads_the_kota_and_its_period_once(sekkota, period):
    with CaptureQueriesContext(connection) as queries:
        response = sekkota.get(reverse("reports:dashboard"))

    assert response.status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    assert sum('FROM "reports_targetperiod"' in sql for sql in statements) == 1
    # The kota the report is about and the kota menu, in one statement.
    assert sum('FROM "wilayah_city"' in sql for sql in statements) == 1
    assert sum('FROM "wilayah_district"' in sql for sql in statements) == 1


def test_dashboard_of_a_period_that_does_not_exist_is_not_found(sekkota, period):
    response = sekkota.get(reverse("reports:dashboard"), {"periode": period.pk + 99})

    assert response.status_code == 404


def test_the_dashboard_names_each_kecamatans_sudin_without_a_lead(sekkota, period):
    for agency in Agency.objects.filter(city__code="31.73").exclude(
        short_name="Parekraf"
    ):
        for district in District.objects.filter(city__code="31.73"):
            field_lead_create(agency=agency, district=district, name="Kasatpel")

    response = sekkota.get(reverse("reports:dashboard"))

    assert response.context["gaps"] == {
        district.code: ["Parekraf"]
        for district in District.objects.filter(city__code="31.73")
    }
    assert response.content.decode().count("Tanpa Kasatlak/Kasatpel: Parekraf") == 8
