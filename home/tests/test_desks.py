"""Each desk's home page shows its own progress, from the same source as the dashboard."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import staff_user
from jakpreneur.semesters import Semester
from participants.tests.factories import ResidentFactory, StageRecordFactory
from programs.models import Agency
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from reports.models import AgencyTarget
from reports.selectors import progress_report
from wilayah.models import Village


def figure(page: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', page)
    return match.group(1).strip() if match else ""


@pytest.fixture
def desk_world(current_period, today):
    joglo = Village.objects.get(code="31.73.08.1005")
    meruya = Village.objects.get(code="31.73.08.1001")
    this_semester = Semester.of(today).start
    registered = [
        ResidentFactory(village=joglo, registered_on=this_semester),
        ResidentFactory(village=joglo, registered_on=this_semester),
        ResidentFactory(village=meruya, registered_on=this_semester),
        ResidentFactory(
            village=joglo, registered_on=this_semester - timedelta(days=200)
        ),
    ]
    program = ProgramFactory(
        start_date=today - timedelta(days=1), end_date=today + timedelta(days=5)
    )
    EnrollmentFactory(
        resident=registered[0], program=program, enrolled_on=today, status="attended"
    )
    EnrollmentFactory(resident=registered[1], program=program, enrolled_on=today)
    StageRecordFactory(resident=registered[3], reached_on=today, mentor="Bu A")
    return current_period, program


def test_kelurahan_home_shows_its_share_of_the_kecamatan_as_on_the_dashboard(
    client, desk_world, today
):
    period, program = desk_world
    client.force_login(staff_user(Role.KELURAHAN, "31.73.08.1005"))

    page = client.get(reverse("home:kelurahan")).content.decode()

    report = progress_report(period=period, today=today)
    kembangan = next(a for a in report.districts if a.code == "31.73.08")
    assert kembangan.current.new == 3
    assert figure(page, "village-semester") == "2"
    assert "66,7% dari 3 warga Kecamatan Kembangan" in page  # 2 of 3, half up
    assert figure(page, "village-period") == "3"
    # Registered, not yet trained: 3 of Joglo's (one attended); trained, no mentoring: 1.
    assert 'data-waiting="pelatihan">2<' in page
    assert 'data-waiting="pendampingan">1<' in page
    assert program.title in page and "sisa 28 kursi" in page


def test_kecamatan_home_shows_the_dashboards_figures_and_its_kelurahan(
    client, desk_world, today
):
    period, _program = desk_world
    client.force_login(staff_user(Role.KECAMATAN, "31.73.08"))

    page = client.get(reverse("home:kecamatan")).content.decode()

    report = progress_report(period=period, today=today)
    kembangan = next(a for a in report.districts if a.code == "31.73.08")
    assert figure(page, "district-semester") == str(kembangan.current.new) == "3"
    assert figure(page, "district-period") == str(kembangan.cumulative) == "4"
    assert re.search(
        r">Joglo</a></th><td class=\"text-end\">2</td><td class=\"text-end\">3<", page
    )


def test_sudin_home_shows_its_trainings_seats_attendance_and_target(
    client, desk_world, today
):
    period, program = desk_world
    agency = Agency.objects.get(city__code="31.73", short_name="PPKUKM")
    AgencyTarget.objects.create(period=period, agency=agency, total=500)
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))

    page = client.get(reverse("home:sudin")).content.decode()

    if program.start_date >= Semester.of(today).start:
        assert figure(page, "programs") == "1"
        assert figure(page, "seats") == "2 / 30"
        assert figure(page, "attendance-pending").startswith("1")
    assert figure(page, "target") == "1 / 500"


def test_a_kota_without_a_period_says_so_on_the_desk(client, places):
    client.force_login(staff_user(Role.KELURAHAN, "31.73.08.1005"))

    page = client.get(reverse("home:kelurahan")).content.decode()

    assert "belum punya periode target" in page


def test_a_busy_sudin_sees_all_its_totals_and_the_trainings_needing_it_first(
    client, current_period, today, monkeypatch
):
    monkeypatch.setattr("home.views.SUDIN_PROGRAMS_SHOWN", 2)
    start = Semester.of(today).start
    quiet = [
        ProgramFactory(code=f"JB-{n}", start_date=start, end_date=start, capacity=10)
        for n in (1, 2)
    ]
    waiting = ProgramFactory(code="JB-9", start_date=start, end_date=start, capacity=20)
    EnrollmentFactory(program=waiting, enrolled_on=start)  # attendance not recorded
    EnrollmentFactory(program=quiet[0], enrolled_on=start, status="attended")
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))

    page = client.get(reverse("home:sudin")).content.decode()

    assert figure(page, "programs") == "3"
    assert figure(page, "seats") == "2 / 40"
    assert figure(page, "attendance-pending").startswith("1")
    rows = re.findall(r'font-monospace">([^<]+)<', page)
    assert rows == ["JB-9", "JB-1"]
    agency = Agency.objects.get(city__code="31.73", short_name="PPKUKM")
    link = f"/pelatihan/?agency={agency.pk}&amp;semester={Semester.of(today)}"
    assert f'href="{link}">Semua 3 pelatihan semester ini' in page
