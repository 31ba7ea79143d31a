"""The two reads every request makes, the session and the signed-in user with their staff
profile, without the ORM building their SQL each time: they give what Django's give."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.backends import StaffBackend
from accounts.models import Role
from accounts.sessions import SessionStore
from accounts.tests.factories import UserFactory, staff_user
from jakpreneur.prepared import PreparedQuery

User = get_user_model()


# --- The session -----------------------------------------------------------------------


def test_a_saved_session_reads_back_its_data(db):
    store = SessionStore()
    store["role"] = "kelurahan"
    store["n"] = [1, 2, 3]
    store.save()

    again = SessionStore(session_key=store.session_key)

    assert again["role"] == "kelurahan"
    assert again["n"] == [1, 2, 3]
    assert again.session_key == store.session_key


def test_an_expired_session_is_empty_and_its_key_is_never_reused(db):
    store = SessionStore()
    store["role"] = "kelurahan"
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    again = SessionStore(session_key=store.session_key)

    assert again.load() == {}
    assert again.session_key is None  # saving it makes a new key (no fixation)
    again["x"] = 1
    again.save()
    assert again.session_key != store.session_key


def test_an_unknown_session_key_is_empty(db):
    store = SessionStore(session_key="a" * 32)

    assert store.load() == {}
    assert store.session_key is None


def test_a_session_with_tampered_data_is_empty(db):
    store = SessionStore()
    store["role"] = "kelurahan"
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        session_data="bukan-data-yang-ditandatangani"
    )

    assert SessionStore(session_key=store.session_key).load() == {}


def test_requests_use_this_store_and_sign_out_ends_the_session(client, places):
    clerk = staff_user(Role.KELURAHAN, "31.73.08.1005")
    client.force_login(clerk)
    key = client.session.session_key

    assert isinstance(client.session, SessionStore)
    assert client.get(reverse("participants:list")).status_code == 200
    client.post(reverse("logout"))

    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("participants:list")).status_code == 302


# --- The signed-in user ----------------------------------------------------------------


def _fields(instance) -> dict:
    return {
        f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields
    }


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.KELURAHAN, "31.73.08.1005"),
        (Role.KECAMATAN, "31.73.08"),
        (Role.SUDIN, "31.73:PPKUKM"),
        (Role.PIMPINAN, "31.73"),
    ],
)
def test_the_user_and_profile_are_what_the_orm_gives(places, role, scope):
    user = staff_user(role, scope)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    expected = User.objects.select_related("staff").get(pk=user.pk)

    with CaptureQueriesContext(connection) as queries:
        found = StaffBackend().get_user(str(user.pk))  # as the session holds it
        staff = found.staff  # read along: no query of its own

    assert len(queries.captured_queries) == 1
    assert _fields(found) == _fields(expected)
    assert _fields(staff) == _fields(expected.staff)
    assert staff.user is found
    assert found.last_login.tzinfo is not None  # converted as the ORM converts
    assert type(found.is_active) is bool and type(staff.must_change_password) is bool
    assert not found._state.adding and found._state.db == "default"


def test_a_user_without_a_profile_has_no_staff(places):
    # A superuser made with createsuperuser has no staff profile until an admin adds one.
    root = UserFactory(is_staff=True, is_superuser=True)

    with CaptureQueriesContext(connection) as queries:
        found = StaffBackend().get_user(root.pk)
        has_staff = hasattr(found, "staff")

    assert found == root and found.is_superuser
    assert not has_staff
    assert len(queries.captured_queries) == 1


def test_an_inactive_missing_or_malformed_user_is_nobody(places):
    clerk = staff_user(Role.KELURAHAN, "31.73.08.1005")
    User.objects.filter(pk=clerk.pk).update(is_active=False)

    assert StaffBackend().get_user(clerk.pk) is None
    assert StaffBackend().get_user(clerk.pk + 1000) is None
    assert StaffBackend().get_user("bukan-angka") is None


def test_a_deactivated_clerk_is_signed_out_on_the_next_request(client, places):
    clerk = staff_user(Role.KELURAHAN, "31.73.08.1005")
    client.force_login(clerk)
    assert client.get(reverse("participants:list")).status_code == 200

    User.objects.filter(pk=clerk.pk).update(is_active=False)

    assert client.get(reverse("participants:list")).status_code == 302


def test_a_prepared_query_takes_only_its_id():
    with pytest.raises(ValueError, match="one parameter"):
        PreparedQuery(lambda pk: User.objects.filter(pk=pk, username="x"))._prepare(
            "default"
        )
