"""A clerk's search and name order cost what their own area holds, not the whole city."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from accounts.tests.factories import staff_user
from participants.selectors import resident_page_ids, residents_filtered
from participants.tests.factories import ResidentFactory
from wilayah.models import District, Village


def test_name_order_is_the_folded_name_so_case_and_accents_do_not_split_it(places):
    joglo = Village.objects.get(code="31.73.08.1005")
    for name in ["budi", "Ani", "Édi", "Citra"]:
        ResidentFactory(full_name=name, village=joglo)
    clerk = staff_user(Role.KELURAHAN, "31.73.08.1005")

    names = residents_filtered(user=clerk, params={"sort": "full_name"})

    assert [r.full_name for r in names] == ["Ani", "budi", "Citra", "Édi"]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="INCLUDE and index-only scans: PostgreSQL"
)
def test_the_kelurahan_index_carries_what_a_clerk_searches_filters_and_orders_by(db):
    """A clerk's name search, name order and status/gender filters are answered by an
    index-only scan of their own area's entries (benchmarks/resident_list.py: Kembangan
    'siti' at 4.6M residents 549 ms -> 55 ms, 'siti' by name 2.5 s -> 77 ms). The plan
    itself is not pinned here: on a test-sized table the planner rightly takes any path."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE tablename = 'participants_resident'"
        )
        indexes = dict(cursor.fetchall())

    assert indexes["resident_village_reg"].endswith(
        "(village_id, registered_on DESC, id DESC)"
        " INCLUDE (name_key, is_void, gender, trained_on, mentored_on)"
    )
    # No btree may lead with name_key: it offered the planner a walk through the whole
    # city in name order, filtering for the clerk's area (3.4 s at 4.6M residents).
    leading_name_key = [
        name for name, definition in indexes.items() if "btree (name_key" in definition
    ]
    assert leading_name_key == []


def _kembangan_residents():
    """Residents over Kembangan's kelurahan, several a day (the id breaks the ties), a
    third of them named Siti, some void, and one in another kecamatan."""
    villages = list(Village.objects.filter(district__code="31.73.08").order_by("code"))
    for n in range(40):
        ResidentFactory(
            village=villages[n // 2 % len(villages)],
            registered_on=date(2025, 1, 1) + timedelta(days=n * 5 % 13),
            full_name=f"{'Siti' if n % 3 == 0 else 'Budi'} {chr(65 + n * 11 % 26)} {n}",
            is_void=n % 9 == 4,
            void_reason="Ganda" if n % 9 == 4 else "",
        )
    ResidentFactory(
        village=Village.objects.get(code="31.73.01.1001"), full_name="Siti Lain"
    )
    return villages


@pytest.mark.parametrize("sort", ["", "registered_on", "full_name"])
@pytest.mark.parametrize("q", ["", "siti"])
def test_a_clerks_pages_read_kelurahan_by_kelurahan_are_the_lists_own_pages(
    places, sort, q
):
    villages = _kembangan_residents()
    clerk = staff_user(Role.KECAMATAN, "31.73.08")
    for params in [
        {"sort": sort, "q": q},
        {"sort": sort, "q": q, "status": "all"},
        {"sort": sort, "q": q, "village": villages[1]},
    ]:
        residents = residents_filtered(user=clerk, params=params)
        whole = list(residents.values_list("pk", flat=True))
        assert whole, params

        for start, stop in [(0, 6), (5, 11), (10, 16), (30, 60), (0, 100)]:
            assert resident_page_ids(residents, start, stop) == whole[start:stop]


def test_the_resident_list_pages_follow_the_order_across_kelurahan(places, client):
    _kembangan_residents()
    client.force_login(staff_user(Role.KECAMATAN, "31.73.08"))
    everyone = list(
        residents_filtered(
            user=staff_user(Role.KECAMATAN, "31.73.08"), params={"q": "siti"}
        ).values_list("pk", flat=True)
    )

    shown = []
    for page in (1, 2):
        response = client.get("/warga/", {"q": "siti", "page": page, "sort": ""})
        shown += [resident.pk for resident in response.context["page"].rows]

    assert shown == everyone[: len(shown)]
    assert len(shown) == min(len(everyone), 50)


def test_a_district_filter_outside_the_clerks_area_narrows_to_nothing(places):
    _kembangan_residents()
    clerk = staff_user(Role.KECAMATAN, "31.73.08")
    other = District.objects.get(code="31.73.01")

    residents = residents_filtered(user=clerk, params={"district": other})

    assert residents.villages == ()
    assert resident_page_ids(residents, 0, 26) == []
    assert not residents.exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the per-kelurahan merge: PostgreSQL"
)
def test_a_clerks_page_asks_each_kelurahan_and_a_kotas_page_the_whole_list(places):
    villages = _kembangan_residents()
    clerk = staff_user(Role.KECAMATAN, "31.73.08")
    pimpinan = staff_user(Role.PIMPINAN, "31.73")

    clerks_list = residents_filtered(user=clerk, params={"q": "siti"})
    kotas_list = residents_filtered(user=pimpinan, params={"q": "siti"})

    with CaptureQueriesContext(connection) as clerks:
        resident_page_ids(clerks_list, 0, 26)
    with CaptureQueriesContext(connection) as kotas:
        resident_page_ids(kotas_list, 0, 26)

    [clerks_sql] = [query["sql"] for query in clerks.captured_queries]
    assert clerks_sql.count("UNION ALL") == len(villages) - 1
    for village in villages:
        assert f'"participants_resident"."village_id" = {village.pk})' in clerks_sql
    [kotas_sql] = [query["sql"] for query in kotas.captured_queries]
    assert "UNION" not in kotas_sql
