"""Every home page at the dashboard's cost: the desks' open trainings and the Sudin home come
from the report cache (reports.cache.Page), and every write they show is on the next load:
trainings and enrolments through the kota's programmes version, counters, targets and field
leads through its report version, online applications through its applications version."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import staff_user
from applications.models import Application
from applications.services import application_refuse
from applications.tests.factories import ApplicationFactory
from home.tests.helpers import JOGLO, page
from participants.services import resident_void
from participants.tests.factories import ResidentFactory
from programs.models import Agency, Enrollment, Program
from programs.services import field_lead_create, program_update, roster_update
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from reports.models import AgencyTarget
from wilayah.models import District, Village

HOMES = {
    "home:kelurahan": (Role.KELURAHAN, JOGLO),
    "home:kecamatan": (Role.KECAMATAN, "31.73.08"),
    "home:sudin": (Role.SUDIN, "31.73:PPKUKM"),
}


@pytest.fixture
def sudin(client, current_period):
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))
    return client


def figure(text: str, name: str) -> str:
    return re.search(rf'data-figure="{name}">([^<]*)<', text).group(1).strip()


def statements(client, name) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        page(client, name)
    return [q["sql"].lower() for q in queries.captured_queries]


def ppkukm() -> Agency:
    return Agency.objects.get(city__code="31.73", short_name="PPKUKM")


def training(today, **fields) -> Program:
    """A training of PPKUKM in Kembangan that started today: open, this semester."""
    return ProgramFactory(
        start_date=today, end_date=today + timedelta(days=3), **fields
    )


# --- What a warm load costs -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count"),
    [("home:kelurahan", 3), ("home:kecamatan", 3), ("home:sudin", 3)],
)
def test_a_warm_home_load_costs_the_dashboard_s_statements(
    client, current_period, today, name, count
):
    """Session, user with staff profile (one query), the user's place (or Sudin) with its
    kota, as the dashboard: no training, enrolment, application, counter or field lead."""
    training(today)
    role, scope = HOMES[name]
    client.force_login(staff_user(role, scope))
    page(client, name)  # cold: computes and stores

    warm = statements(client, name)

    assert len(warm) == count, "\n".join(warm)
    read = " ".join(warm)
    for table in (
        "programs_program",
        "programs_enrollment",
        "programs_fieldlead",
        "stagecount",
        "breakdowncount",
        "participants_resident",
        "applications_application",
    ):
        assert table not in read


def test_without_the_shared_cache_every_load_computes(clerk, today, settings):
    settings.REPORTS_CACHE = False
    program = training(today, title="Pelatihan Kue Basah")

    assert program.title in page(clerk)
    assert "programs_program" in " ".join(statements(clerk, "home:kelurahan"))


# --- The desks' open trainings: the kota's programmes version ---------------------------


def test_a_new_training_shows_on_the_desks_next_load(clerk, client, commit, today):
    assert "Belum ada pelatihan yang dibuka" in page(clerk)

    program = commit(lambda: training(today, title="Pelatihan Batik Tulis"))

    assert program.title in page(clerk)


def test_a_cancelled_training_leaves_the_desk_on_the_next_load(clerk, commit, today):
    program = commit(lambda: training(today, title="Pelatihan Batik Tulis"))
    assert program.title in page(clerk)

    commit(
        lambda: program_update(
            program=program,
            user=staff_user(Role.ADMIN),
            status=Program.Status.CANCELLED,
        )
    )

    assert program.title not in page(clerk)


def test_a_cancelled_enrolment_frees_its_seat_on_the_next_load(clerk, commit, today):
    program = training(today)
    enrolment = commit(
        lambda: EnrollmentFactory(
            resident=ResidentFactory(village=Village.objects.get(code=JOGLO)),
            program=program,
            enrolled_on=today,
        )
    )
    assert "sisa 29 kursi" in page(clerk)

    commit(
        lambda: roster_update(
            program=program,
            statuses={enrolment.pk: Enrollment.Status.CANCELLED},
            user=staff_user(Role.ADMIN),
            today=today,
        )
    )

    assert "sisa 30 kursi" in page(clerk)


def test_the_kecamatan_desk_sees_a_seat_its_kelurahan_took(
    client, commit, today, current_period
):
    """Both desks of a kecamatan share its open trainings: one write, both current."""
    program = training(today)
    resident = ResidentFactory(village=Village.objects.get(code=JOGLO))
    client.force_login(staff_user(Role.KECAMATAN, "31.73.08"))
    assert "sisa 30 kursi" in page(client, "home:kecamatan")

    # An enrolment moves no counter: only the programmes version tells.
    commit(
        lambda: EnrollmentFactory(resident=resident, program=program, enrolled_on=today)
    )

    assert "sisa 29 kursi" in page(client, "home:kecamatan")


def test_a_training_that_closed_yesterday_is_gone_the_next_day_without_a_write(
    clerk, today, monkeypatch
):
    program = ProgramFactory(
        title="Pelatihan Sablon",
        start_date=today - timedelta(days=2),
        end_date=today,
    )
    assert program.title in page(clerk)

    monkeypatch.setattr(timezone, "localdate", lambda *a: today + timedelta(days=1))

    assert program.title not in page(clerk)


def test_a_training_in_another_kota_does_not_recompute_the_desk(clerk, commit, today):
    page(clerk)

    commit(
        lambda: ProgramFactory(
            agency=Agency.objects.get(city__code="31.71", short_name="PPKUKM"),
            district=District.objects.get(code="31.71.01"),
            start_date=today,
            end_date=today + timedelta(days=3),
        )
    )

    assert "programs_program" not in " ".join(statements(clerk, "home:kelurahan"))


# --- The desks' queue of online applications: the kota's applications version ------------


def test_an_application_and_its_decision_show_on_the_desks_next_load(
    clerk, client, commit, places
):
    assert "0 pengajuan menunggu" in page(clerk)
    assert "applications_application" not in " ".join(
        statements(clerk, "home:kelurahan")
    )

    application = commit(ApplicationFactory)

    assert "1 pengajuan menunggu" in page(clerk)
    client.force_login(staff_user(Role.KECAMATAN, "31.73.08"))
    assert "1 pengajuan menunggu" in page(client, "home:kecamatan")

    commit(
        lambda: application_refuse(
            application=application,
            user=staff_user(Role.KELURAHAN, JOGLO),
            status=Application.Status.REJECTED,
            reason="NIK tidak sesuai KTP",
        )
    )

    assert "0 pengajuan menunggu" in page(client, "home:kecamatan")


def test_an_application_recomputes_no_counted_part(clerk, commit, places):
    """Applying online counts nowhere (DOMAIN rule 1): the desk's counted parts and the
    dashboard stay cached; only the queue is read again."""
    page(clerk)

    commit(ApplicationFactory)

    read = " ".join(statements(clerk, "home:kelurahan"))
    assert "applications_application" in read
    assert "stagecount" not in read and "participants_resident" not in read


# --- The Sudin home: programmes and counted parts ---------------------------------------


def test_an_enrolment_shows_in_the_sudin_s_seats_on_the_next_load(sudin, commit, today):
    program = commit(lambda: training(today, title="Pelatihan Kopi Susu"))
    resident = ResidentFactory(village=Village.objects.get(code=JOGLO))
    text = page(sudin, "home:sudin")
    assert program.title in text
    assert figure(text, "seats") == "0 / 30"

    # An enrolment moves no counter: only the programmes version tells.
    commit(
        lambda: EnrollmentFactory(resident=resident, program=program, enrolled_on=today)
    )

    text = page(sudin, "home:sudin")
    assert figure(text, "seats") == "1 / 30"
    assert figure(text, "attendance-pending").startswith("1")


def test_attendance_moves_the_sudin_s_pending_and_target_on_the_next_load(
    sudin, commit, today, current_period
):
    AgencyTarget.objects.create(period=current_period, agency=ppkukm(), total=500)
    program = training(today)
    enrolment = commit(
        lambda: EnrollmentFactory(
            resident=ResidentFactory(
                village=Village.objects.get(code=JOGLO), registered_on=today
            ),
            program=program,
            enrolled_on=today,
        )
    )
    text = page(sudin, "home:sudin")
    assert figure(text, "target") == "0 / 500"
    assert figure(text, "attendance-pending").startswith("1")

    commit(
        lambda: roster_update(
            program=program,
            statuses={enrolment.pk: Enrollment.Status.ATTENDED},
            user=staff_user(Role.ADMIN),
            today=today,
        )
    )

    text = page(sudin, "home:sudin")
    assert figure(text, "target") == "1 / 500"
    assert figure(text, "attendance-pending").startswith("0")

    commit(
        lambda: resident_void(
            resident=enrolment.resident,
            user=staff_user(Role.ADMIN),
            reason="Pendaftaran ganda",
        )
    )

    assert figure(page(sudin, "home:sudin"), "target") == "0 / 500"


def test_a_target_and_a_field_lead_show_on_the_sudin_s_next_load(
    sudin, commit, current_period
):
    text = page(sudin, "home:sudin")
    assert "belum ditetapkan" in text
    assert "Bu Sari Kembangan" not in text

    commit(
        lambda: AgencyTarget.objects.create(
            period=current_period, agency=ppkukm(), total=500
        )
    )
    commit(
        lambda: field_lead_create(
            agency=ppkukm(),
            district=District.objects.get(code="31.73.08"),
            name="Bu Sari Kembangan",
        )
    )

    text = page(sudin, "home:sudin")
    assert figure(text, "target") == "0 / 500"
    assert "Bu Sari Kembangan" in text


def test_each_sudin_of_a_kota_sees_its_own_trainings(client, commit, today, places):
    program = commit(lambda: training(today, title="Pelatihan Kopi Susu"))
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))
    assert program.title in page(client, "home:sudin")

    client.force_login(staff_user(Role.SUDIN, "31.73:KPKP"))

    assert program.title not in page(client, "home:sudin")


def test_each_language_gets_its_own_sudin_home(sudin):
    from django.conf import settings

    indonesian = page(sudin, "home:sudin")
    sudin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    english = page(sudin, "home:sudin")

    assert "Kasatlak/Kasatpel per kecamatan" in indonesian
    assert "Kursi terisi" in indonesian
    assert "Kursi terisi" not in english
