"""A desk's figures come from the report cache (reports.cache) and are as current as the
dashboard's: a committed registration, void or attendance shows on the next load; a seat
taken (which moves no counter) too, because the open trainings are read for each request."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from accounts.tests.factories import staff_user
from home.tests.helpers import JOGLO, page
from participants.services import resident_void
from participants.tests.factories import ResidentFactory
from programs.models import Enrollment
from programs.services import roster_update
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from wilayah.models import Village


@pytest.fixture
def desk(client, current_period):
    client.force_login(staff_user(Role.KECAMATAN, "31.73.08"))
    return client


def figure(text: str, name: str) -> int:
    return int(re.search(rf'data-figure="{name}">([\d.,]+)<', text).group(1))


def waiting(text: str, stage: str) -> int:
    return int(re.search(rf'data-waiting="{stage}">(\d+)', text).group(1))


def hit(client, name="home:kelurahan") -> bool:
    with CaptureQueriesContext(connection) as queries:
        page(client, name)
    tables = " ".join(q["sql"] for q in queries.captured_queries).lower()
    return not any(t in tables for t in ("stagecount", "participants_resident"))


def test_a_registration_and_a_void_show_on_the_next_load(clerk, commit, today):
    assert figure(page(clerk), "village-period") == 0
    assert hit(clerk), "the second load was not a cache hit"

    siti = commit(
        lambda: ResidentFactory(
            village=Village.objects.get(code=JOGLO), registered_on=today
        )
    )
    text = page(clerk)
    assert figure(text, "village-period") == 1
    assert waiting(text, "pelatihan") == 1

    commit(
        lambda: resident_void(
            resident=siti, user=staff_user(Role.ADMIN), reason="Pendaftaran ganda"
        )
    )
    text = page(clerk)
    assert figure(text, "village-period") == 0
    assert waiting(text, "pelatihan") == 0


def test_attendance_moves_who_waits_on_the_next_load(clerk, commit, today):
    program = ProgramFactory(
        start_date=today - timedelta(days=1), end_date=today + timedelta(days=5)
    )
    enrolment = commit(
        lambda: EnrollmentFactory(
            resident=ResidentFactory(
                village=Village.objects.get(code=JOGLO), registered_on=today
            ),
            program=program,
            enrolled_on=today,
        )
    )
    assert waiting(page(clerk), "pelatihan") == 1
    assert hit(clerk)

    commit(
        lambda: roster_update(
            program=program,
            statuses={enrolment.pk: Enrollment.Status.ATTENDED},
            user=staff_user(Role.ADMIN),
            today=today,
        )
    )

    text = page(clerk)
    assert waiting(text, "pelatihan") == 0
    assert waiting(text, "pendampingan") == 1


def test_a_seat_taken_shows_on_the_next_load_though_no_counter_moved(
    clerk, commit, today
):
    program = ProgramFactory(
        start_date=today - timedelta(days=1), end_date=today + timedelta(days=5)
    )
    assert "sisa 30 kursi" in page(clerk)

    commit(
        lambda: EnrollmentFactory(
            resident=ResidentFactory(village=Village.objects.get(code=JOGLO)),
            program=program,
            enrolled_on=today,
        )
    )

    assert "sisa 29 kursi" in page(clerk)


def test_the_kecamatan_desk_s_kelurahan_table_stays_current(desk, commit, today):
    page(desk, "home:kecamatan")
    assert hit(desk, "home:kecamatan")

    commit(
        lambda: ResidentFactory(
            village=Village.objects.get(code=JOGLO), registered_on=today
        )
    )

    assert re.search(
        r">Joglo</a></th><td class=\"text-end\">1</td><td class=\"text-end\">1<",
        page(desk, "home:kecamatan"),
    )


def test_two_desks_of_one_kecamatan_see_their_own_kelurahan(
    client, commit, today, current_period
):
    commit(
        lambda: ResidentFactory(
            village=Village.objects.get(code=JOGLO), registered_on=today
        )
    )
    client.force_login(staff_user(Role.KELURAHAN, JOGLO))
    assert figure(page(client), "village-period") == 1

    client.force_login(staff_user(Role.KELURAHAN, "31.73.08.1001"))

    assert figure(page(client), "village-period") == 0


def test_a_busy_kecamatan_shows_the_soonest_trainings_and_links_to_all(clerk, today):
    from home.views import OPEN_PROGRAMS_SHOWN
    from wilayah.models import District

    kembangan = District.objects.get(code="31.73.08")
    programs = [
        ProgramFactory(
            district=kembangan,
            title=f"Pelatihan ke-{n + 1} pekan ini",
            start_date=today + timedelta(days=n),
            end_date=today + timedelta(days=n + 5),
        )
        for n in range(OPEN_PROGRAMS_SHOWN + 1)
    ]

    text = page(clerk)

    assert programs[0].title in text
    assert programs[-1].title not in text  # the latest starts last
    link = re.search(r'href="([^"]+)" data-link="all-programs"', text).group(1)
    listed = clerk.get(link.replace("&amp;", "&"))
    assert listed.status_code == 200
    assert programs[-1].title in listed.content.decode()


def test_each_language_gets_its_own_desk(clerk):
    from django.conf import settings

    indonesian = page(clerk)
    clerk.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    english = page(clerk)

    assert "Menunggu tahap berikutnya" in indonesian
    assert "Tahapan PKT dalam periode" in indonesian
    assert "Tahapan PKT dalam periode" not in english
