"""Issue 13: the dashboard's outreach panel, the drill-down's activities and the "heard"
breakdown. Figures are checked against a brute-force count of the rows, and every write
shows on the next dashboard load."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import staff_user
from jakpreneur.semesters import Semester
from outreach.models import OutreachActivity
from outreach.services import outreach_activity_create, outreach_activity_update
from outreach.tests.factories import OutreachActivityFactory
from participants.models import Resident
from participants.services import resident_void
from programs.models import Agency
from programs.services import field_lead_create
from reports.tests.factories import resident
from wilayah.models import District, Village

KEMBANGAN, CENGKARENG = "31.73.08", "31.73.01"
JOGLO, KAPUK = "31.73.08.1005", "31.73.01.1005"


@pytest.fixture
def sekkota(client, places):
    client.force_login(staff_user(Role.PIMPINAN, "31.73"))
    return client


def district(code):
    return District.objects.get(code=code)


def panel(client, **params):
    response = client.get(reverse("reports:dashboard"), params)
    assert response.status_code == 200
    return response.context["body"], response


def rows(response_body: str) -> dict[str, tuple[int, int, int]]:
    """The panel's table as {kecamatan code: (activities, people, registrations)}."""
    import re

    table = response_body.split('data-table="outreach"', 1)[1].split("</tbody>", 1)[0]
    found = {}
    for code, cells in re.findall(
        r'<tr data-code="([\d.]+)".*?</th>(.*?)</tr>', table, flags=re.S
    ):
        numbers = re.findall(r'<td class="text-end">([\d.,]+)</td>', cells)
        found[code] = tuple(int(n.replace(".", "").replace(",", "")) for n in numbers)
    return found


@pytest.fixture
def world(places, current_period, today):
    """Residents and activities of this semester, the last and another kota."""
    this = Semester.of(today)
    last = this + -1
    for village, heard, on in [
        (JOGLO, "outreach", this.start),
        (JOGLO, "outreach", today),
        (JOGLO, "family", today),
        (JOGLO, "", today),
        (KAPUK, "outreach", today),
        (KAPUK, "outreach", last.start),  # last semester: not this one's
        ("31.75.01.1001", "outreach", today),  # Jakarta Timur
    ]:
        resident(village=village, registered_on=on, heard_via=heard)
    voided = resident(village=KAPUK, registered_on=today, heard_via="outreach")
    resident_void(resident=voided, user=staff_user(Role.ADMIN), reason="salah input")
    OutreachActivityFactory(held_on=this.start, people_reached=30)
    OutreachActivityFactory(
        held_on=today, people_reached=12, village=Village.objects.get(code=JOGLO)
    )
    OutreachActivityFactory(held_on=last.start, people_reached=500)
    OutreachActivityFactory(held_on=today, district=district("31.75.01"))
    return this


def brute_force(semester: Semester) -> dict[str, tuple[int, int, int]]:
    """The same figures straight from the rows, by the counting rules."""
    found = {}
    for d in District.objects.filter(city__code="31.73"):
        activities = OutreachActivity.objects.filter(
            district=d, held_on__gte=semester.start, held_on__lte=semester.end
        )
        registered = Resident.objects.filter(
            village__district=d,
            is_void=False,
            heard_via="outreach",
            registered_on__gte=semester.start,
            registered_on__lte=semester.end,
        )
        found[d.code] = (
            activities.count(),
            sum(a.people_reached for a in activities),
            registered.count(),
        )
    return found


def test_the_panel_equals_a_brute_force_count(sekkota, world):
    body, _response = panel(sekkota)

    assert rows(body) == brute_force(world)
    assert rows(body)[KEMBANGAN] == (2, 42, 2)
    assert rows(body)[CENGKARENG] == (0, 0, 1)


def test_kecamatan_without_outreach_and_sudin_without_lead_are_flagged(sekkota, world):
    body, _response = panel(sekkota)

    flagged = body.split('data-table="outreach"', 1)[1]
    assert f'data-code="{CENGKARENG}" data-flag="no-outreach"' in flagged
    assert f'data-code="{KEMBANGAN}" data-flag' not in flagged
    assert "7 kecamatan belum ada sosialisasi semester ini." in body
    # No Sudin has a field lead in this test: every kecamatan lists Parekraf among them.
    assert flagged.count("Sudin tanpa Kasatlak/Kasatpel:") == 8


def test_a_field_lead_removes_the_flag(sekkota, world, commit):
    parekraf = Agency.objects.get(city__code="31.73", short_name="Parekraf")
    panel(sekkota)
    commit(
        lambda: field_lead_create(
            agency=parekraf, district=district(KEMBANGAN), name="Bu Kasatpel"
        )
    )

    body, _response = panel(sekkota)

    table = body.split('data-table="outreach"', 1)[1]
    row = table.split(f'data-code="{KEMBANGAN}"', 1)[1].split("</tr>", 1)[0]
    assert "Parekraf" not in row


def test_a_new_activity_shows_on_the_next_load(sekkota, world, today, commit):
    before, _response = panel(sekkota)
    user = staff_user(Role.KECAMATAN, CENGKARENG)

    activity = commit(
        lambda: outreach_activity_create(
            user=user,
            held_on=today,
            district=district(CENGKARENG),
            office="kecamatan",
            kind="bazar",
            people_reached=80,
        )
    )
    after, _response = panel(sekkota)
    commit(
        lambda: outreach_activity_update(
            activity=activity, user=user, people_reached=81
        )
    )
    edited, _response = panel(sekkota)
    commit(activity.delete)
    deleted, _response = panel(sekkota)

    assert rows(before)[CENGKARENG] == (0, 0, 1)
    assert rows(after)[CENGKARENG] == (1, 80, 1)
    assert rows(edited)[CENGKARENG] == (1, 81, 1)
    assert rows(deleted)[CENGKARENG] == (0, 0, 1)


def test_an_activity_of_another_kota_leaves_this_kota_cached(
    sekkota, world, today, commit, django_assert_max_num_queries
):
    panel(sekkota)
    commit(lambda: OutreachActivityFactory(district=district("31.75.02")))

    # Cached: the page around the figures only (session, user, kota).
    with django_assert_max_num_queries(6):
        panel(sekkota)


def test_the_panel_follows_the_semester_chosen(sekkota, world):
    last = world + -1

    body, _response = panel(sekkota, sampai=str(last))

    assert f"Sosialisasi {last}" in body
    assert rows(body) == brute_force(last)
    assert rows(body)[KEMBANGAN] == (1, 500, 0)
    assert rows(body)[CENGKARENG] == (0, 0, 1)


def test_the_panel_reads_no_resident_row(sekkota, world):
    with CaptureQueriesContext(connection) as queries:
        panel(sekkota)

    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "outreach_outreachactivity" in tables
    assert '"participants_resident"' not in tables
    assert "participants_resident " not in tables


def test_the_drill_down_lists_the_semester_activities(sekkota, world, today):
    response = sekkota.get(reverse("reports:district", args=[KEMBANGAN]))
    page = response.content.decode()
    listed = response.context["outreach_activities"]

    assert response.status_code == 200
    assert [a.people_reached for a in listed] == [30, 12]
    assert "Joglo" in page.split('id="outreach-activities"', 1)[1]
    empty = sekkota.get(reverse("reports:district", args=[CENGKARENG]))
    assert "Belum ada kegiatan sosialisasi di kecamatan ini" in empty.content.decode()


def test_the_breakdowns_show_how_residents_heard(sekkota, world):
    response = sekkota.get(reverse("reports:breakdowns"))

    heard = dict(response.context["breakdowns"]["heard"])
    assert heard == {
        "Kegiatan sosialisasi di sekitar saya": 4,
        "Keluarga/tetangga/teman": 1,
        "Tidak ditanyakan (data lama)": 1,
    }
    assert sum(heard.values()) == response.context["headline"]
    assert "Per sumber informasi" in response.content.decode()
