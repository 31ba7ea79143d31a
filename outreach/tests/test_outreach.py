"""Recording outreach activities: the database's rules, the services' and each role's scope."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import staff_user
from jakpreneur.semesters import Semester
from outreach.models import OutreachActivity
from outreach.selectors import (
    activities_filtered,
    activities_kept_by,
    activities_visible_to,
    outreach_by_district,
)
from outreach.services import (
    outreach_activity_create,
    outreach_activity_delete,
    outreach_activity_update,
)
from outreach.tests.factories import OutreachActivityFactory
from programs.models import Agency
from wilayah.models import City, District, Village

JOGLO = "31.73.08.1005"
KEMBANGAN = "31.73.08"
CENGKARENG = "31.73.01"


def place(code):
    return (Village if code.count(".") == 3 else District).objects.get(code=code)


def agency(city="31.73", short="PPKUKM"):
    return Agency.objects.get(city__code=city, short_name=short)


def form_data(**overrides):
    data = {
        "held_on": "2025-03-10",
        "kind": "tatap_muka",
        "district": str(place(KEMBANGAN).pk),
        "village": "",
        "organiser": "kantor:kecamatan",
        "office_name": "",
        "people_reached": "35",
        "notes": "Sosialisasi di aula kecamatan",
    }
    return data | overrides


# --- The database guards the facts ---------------------------------------------------


def _insert(**fields):
    with transaction.atomic():
        OutreachActivityFactory(**fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"agency": None, "office": ""},  # no organiser
        {"office": "kecamatan", "agency_id": 1},  # both
        {"office": "lainnya", "office_name": ""},  # another office without its name
        {"office": "kelurahan", "village": None},  # a kelurahan office, no kelurahan
        {"people_reached": 100_001},
        {"held_on": date(2019, 12, 31)},
    ],
    ids=["none", "both", "unnamed", "kelurahan-office", "too-many", "before-2020"],
)
def test_the_database_refuses_an_impossible_activity(places, fields):
    if "agency_id" in fields:
        fields["agency_id"] = agency().pk
    with pytest.raises(IntegrityError):
        _insert(**fields)
    assert not OutreachActivity.objects.exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a composite key needs PostgreSQL"
)
def test_postgresql_refuses_a_kelurahan_outside_the_kecamatan(places):
    with pytest.raises(IntegrityError):
        _insert(district=place(CENGKARENG), village=place(JOGLO))


# --- Services -------------------------------------------------------------------------


def test_kecamatan_staff_record_an_activity_of_their_kecamatan(places):
    user = staff_user(Role.KECAMATAN, KEMBANGAN)

    activity = outreach_activity_create(
        user=user,
        held_on=date(2025, 3, 10),
        district=place(KEMBANGAN),
        village=place(JOGLO),
        kind="bazar",
        people_reached=120,
        office="kecamatan",
    )

    activity.refresh_from_db()
    assert (activity.recorded_by, activity.people_reached) == (user, 120)
    assert activity.organiser == "Kantor Kecamatan Kembangan"
    assert activity.history.count() == 1


@pytest.mark.parametrize(
    ("role", "scope", "fields", "field"),
    [
        (Role.KECAMATAN, KEMBANGAN, {"district": CENGKARENG}, "district"),
        (Role.KECAMATAN, KEMBANGAN, {"village": "31.73.01.1005"}, "village"),
        (Role.KELURAHAN, JOGLO, {"village": None}, "village"),
        (Role.KELURAHAN, JOGLO, {"village": "31.73.08.1001"}, "village"),
        (Role.SUDIN, "31.73:PPKUKM", {"agency": ("31.73", "KPKP")}, "agency"),
        (Role.SUDIN, "31.73:PPKUKM", {"district": "31.75.01"}, "district"),
        (Role.ADMIN, "", {"agency": ("31.75", "PPKUKM")}, "agency"),
        (Role.ADMIN, "", {"held_on": "tomorrow"}, "held_on"),
    ],
    ids=[
        "kec-other-district",
        "kec-village-elsewhere",
        "kel-not-local",
        "kel-other-village",
        "sudin-other-sudin",
        "sudin-other-kota",
        "sudin-of-other-kota",
        "future",
    ],
)
def test_the_service_refuses_what_is_outside_the_scope(
    places, today, role, scope, fields, field
):
    user = staff_user(role, scope)
    given = {
        "held_on": date(2025, 3, 10),
        "district": place(KEMBANGAN),
        "village": place(JOGLO) if role == Role.KELURAHAN else None,
        "agency": agency() if role == Role.SUDIN else None,
        "office": "" if role == Role.SUDIN else "kecamatan",
    }
    for name, value in fields.items():
        if name == "agency":
            given["agency"], given["office"] = agency(*value), ""
        elif name == "held_on":
            given["held_on"] = today + timedelta(days=1)
        else:
            given[name] = place(value) if value else None

    with pytest.raises(ValidationError) as error:
        outreach_activity_create(
            user=user, kind="tatap_muka", people_reached=5, **given
        )

    assert field in error.value.message_dict
    assert not OutreachActivity.objects.exists()


def test_sudin_staff_record_in_any_kecamatan_of_their_kota(places):
    user = staff_user(Role.SUDIN, "31.73:Parekraf")

    activity = outreach_activity_create(
        user=user,
        held_on=date(2025, 4, 2),
        district=place(CENGKARENG),
        agency=agency(short="Parekraf"),
        kind="media_sosial",
        people_reached=300,
    )

    assert activity.organiser == "Sudin Parekraf"


def test_an_update_keeps_the_rules_and_a_delete_keeps_the_history(places):
    user = staff_user(Role.KECAMATAN, KEMBANGAN)
    activity = OutreachActivityFactory()
    pk = activity.pk

    with pytest.raises(ValidationError):
        outreach_activity_update(
            activity=activity, user=user, district=place(CENGKARENG)
        )
    outreach_activity_update(activity=activity, user=user, people_reached=55)
    outreach_activity_delete(activity=activity, user=user)

    assert not OutreachActivity.objects.exists()
    history = OutreachActivity.history.filter(id=pk).order_by("history_date")
    assert [h.history_type for h in history] == ["+", "~", "-"]
    assert history.last().history_user == user


# --- Who sees and keeps which ---------------------------------------------------------


@pytest.fixture
def three_activities(places):
    joglo = OutreachActivityFactory(village=place(JOGLO), office="kelurahan")
    cengkareng = OutreachActivityFactory(
        district=place(CENGKARENG), agency=agency(), office=""
    )
    timur = OutreachActivityFactory(district=place("31.75.01"))
    return {"joglo": joglo, "cengkareng": cengkareng, "timur": timur}


@pytest.mark.parametrize(
    ("role", "scope", "sees", "keeps"),
    [
        (Role.KELURAHAN, JOGLO, {"joglo"}, {"joglo"}),
        (Role.KELURAHAN, "31.73.08.1001", {"joglo"}, set()),
        (Role.KECAMATAN, KEMBANGAN, {"joglo"}, {"joglo"}),
        (Role.KECAMATAN, CENGKARENG, {"cengkareng"}, {"cengkareng"}),
        (Role.SUDIN, "31.73:PPKUKM", {"joglo", "cengkareng"}, {"cengkareng"}),
        (Role.SUDIN, "31.73:KPKP", {"joglo", "cengkareng"}, set()),
        (Role.PIMPINAN, "31.73", {"joglo", "cengkareng"}, set()),
        (
            Role.ADMIN,
            "",
            {"joglo", "cengkareng", "timur"},
            {"joglo", "cengkareng", "timur"},
        ),
    ],
)
def test_each_role_sees_and_keeps_its_own_scope(
    three_activities, role, scope, sees, keeps
):
    user = staff_user(role, scope)
    names = {a.pk: n for n, a in three_activities.items()}

    assert {names[a.pk] for a in activities_visible_to(user=user)} == sees
    assert {names[a.pk] for a in activities_kept_by(user=user)} == keeps


def test_the_list_filters_by_semester_and_kecamatan(three_activities):
    user = staff_user(Role.PIMPINAN, "31.73")
    OutreachActivityFactory(held_on=date(2024, 9, 1))

    found = activities_filtered(
        user=user, semester=Semester(2025, 1), district=place(KEMBANGAN)
    )

    assert list(found) == [three_activities["joglo"]]


def test_figures_per_kecamatan_equal_a_count_of_the_rows(three_activities):
    OutreachActivityFactory(people_reached=10, held_on=date(2025, 6, 30))
    OutreachActivityFactory(
        people_reached=99, held_on=date(2025, 7, 1)
    )  # next semester
    jakbar = City.objects.get(code="31.73")

    figures = outreach_by_district(city=jakbar, semester=Semester(2025, 1))

    for district_id, held in figures.items():
        rows = OutreachActivity.objects.filter(
            district_id=district_id,
            held_on__range=(date(2025, 1, 1), date(2025, 6, 30)),
        )
        assert held.activities == rows.count()
        assert held.people_reached == sum(r.people_reached for r in rows)
    assert set(figures) == {place(KEMBANGAN).pk, place(CENGKARENG).pk}
    assert figures[place(KEMBANGAN).pk].people_reached == 50


# --- Pages ----------------------------------------------------------------------------


def test_a_kelurahan_clerk_records_one_for_their_kelurahan(client, places):
    client.force_login(staff_user(Role.KELURAHAN, JOGLO))

    page = client.get(reverse("outreach:create"))
    response = client.post(
        reverse("outreach:create"),
        # District and village are fixed for them: what the request says is ignored.
        form_data(district=str(place(CENGKARENG).pk), organiser="kantor:kelurahan"),
    )

    assert page.status_code == 200
    assert response.status_code == 302
    activity = OutreachActivity.objects.get()
    assert (activity.district.code, activity.village.code) == (KEMBANGAN, JOGLO)
    assert activity.organiser == "Kantor Kelurahan Joglo"


def test_a_sudin_clerk_organises_as_their_sudin_whatever_is_posted(client, places):
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))

    response = client.post(
        reverse("outreach:create"),
        form_data(organiser=f"sudin:{agency(short='KPKP').pk}"),
    )

    assert response.status_code == 302
    assert OutreachActivity.objects.get().agency == agency()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"people_reached": "-1"},
            "people_reached",
            "lebih besar dari atau sama dengan 0",
        ),
        ({"people_reached": "100001"}, "people_reached", "antara 0 dan 100.000"),
        ({"organiser": "kantor:lainnya"}, "office_name", "Tulis nama kantor"),
        ({"organiser": "kantor:kelurahan"}, "village", "menyebut kelurahannya"),
        ({"organiser": "sudin:999999"}, "organiser", "pilihan yang valid"),
        ({"held_on": "2099-01-01"}, None, "masa depan"),
        ({"village": "0"}, "village", "valid"),
    ],
    ids=[
        "negative",
        "huge",
        "unnamed",
        "kelurahan-office",
        "unknown-sudin",
        "future",
        "bad-village",
    ],
)
def test_bad_input_gets_a_message_and_writes_nothing(
    client, places, overrides, field, message
):
    client.force_login(staff_user(Role.KECAMATAN, KEMBANGAN))

    response = client.post(reverse("outreach:create"), form_data(**overrides))

    assert response.status_code == 200
    form = response.context["form"]
    errors = " ".join(
        form.errors.get(field or "__all__", []) + form.errors.get("held_on", [])
    )
    assert form.errors and message in errors
    assert not OutreachActivity.objects.exists()


def test_a_colleague_of_another_kelurahan_may_read_but_not_edit(client, places):
    activity = OutreachActivityFactory(village=place(JOGLO), office="kelurahan")
    client.force_login(staff_user(Role.KELURAHAN, "31.73.08.1001"))

    listed = client.get(reverse("outreach:list"))
    edit = client.get(reverse("outreach:edit", args=[activity.pk]))
    delete = client.post(reverse("outreach:delete", args=[activity.pk]))

    assert listed.status_code == 200 and activity in listed.context["page"].rows
    assert (edit.status_code, delete.status_code) == (403, 403)
    assert OutreachActivity.objects.filter(pk=activity.pk).exists()


def test_the_owner_corrects_and_deletes(client, places):
    activity = OutreachActivityFactory(village=place(JOGLO), office="kelurahan")
    client.force_login(staff_user(Role.KELURAHAN, JOGLO))

    edited = client.post(
        reverse("outreach:edit", args=[activity.pk]),
        form_data(organiser="kantor:kelurahan", people_reached="77"),
    )
    activity.refresh_from_db()
    deleted = client.post(reverse("outreach:delete", args=[activity.pk]))

    assert (edited.status_code, activity.people_reached) == (302, 77)
    assert deleted.status_code == 302
    assert not OutreachActivity.objects.exists()


@pytest.mark.parametrize("role", [Role.PIMPINAN])
def test_readers_see_the_list_without_record_buttons(client, places, role):
    OutreachActivityFactory()
    client.force_login(staff_user(role, "31.73"))

    response = client.get(reverse("outreach:list"))
    create = client.get(reverse("outreach:create"))

    assert response.status_code == 200
    assert reverse("outreach:create") not in response.content.decode()
    assert create.status_code == 403


def test_the_list_costs_the_same_queries_for_many_rows(
    client, places, django_assert_max_num_queries
):
    for n in range(30):
        OutreachActivityFactory(people_reached=n)
    client.force_login(staff_user(Role.KECAMATAN, KEMBANGAN))

    with django_assert_max_num_queries(14):
        response = client.get(reverse("outreach:list"))

    assert len(response.context["page"].rows) == 25
