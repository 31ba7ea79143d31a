"""The signed-in user and their staff profile come in one query; sign-in is unchanged."""

from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import PASSWORD, staff_user


def test_a_signed_in_request_reads_the_user_and_profile_in_one_query(client, places):
    clerk = staff_user(Role.KELURAHAN, "31.73.08.1005")
    assert (
        client.post(
            reverse("login"), {"username": clerk.username, "password": PASSWORD}
        ).status_code
        == 302
    )
    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.StaffBackend"

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("participants:list"))

    assert response.status_code == 200
    assert response.context["user"].staff.village.code == "31.73.08.1005"
    assert not any(
        'FROM "accounts_staffprofile"' in query["sql"]
        for query in queries.captured_queries
    )


def test_a_session_signed_in_before_the_backend_still_works(client, places):
    clerk = staff_user(Role.KELURAHAN, "31.73.08.1005")
    client.force_login(clerk, backend="django.contrib.auth.backends.ModelBackend")

    response = client.get(reverse("participants:list"))

    assert response.status_code == 200
    assert response.context["user"] == clerk


def test_a_wrong_password_checks_the_password_once(client, places, monkeypatch):
    from django.contrib.auth.hashers import MD5PasswordHasher

    clerk = staff_user(Role.KELURAHAN, "31.73.08.1005")
    checks = []
    verify = MD5PasswordHasher.verify
    monkeypatch.setattr(
        MD5PasswordHasher,
        "verify",
        lambda self, *args: checks.append(1) or verify(self, *args),
    )

    response = client.post(
        reverse("login"), {"username": clerk.username, "password": "salah-sekali"}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert len(checks) == 1
