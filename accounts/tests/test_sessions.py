import pytest
from django.urls import reverse

from accounts.middleware import LAST_SEEN, SIGNED_IN
from accounts.models import Role
from accounts.tests.factories import PASSWORD, staff_user

MINUTE = 60


@pytest.fixture
def joglo(client, places):
    user = staff_user(Role.KELURAHAN, username="kelurahan.joglo")
    client.force_login(user)
    return user


def shift(client, key: str, seconds: float) -> None:
    """Move a session timestamp into the past, as if that much time had gone by."""
    session = client.session
    session[key] -= seconds
    session.save()


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_session_ends_after_thirty_idle_minutes(client, joglo):
    shift(client, LAST_SEEN, 31 * MINUTE)

    response = client.get(reverse("participants:list"), follow=True)

    assert response.redirect_chain[0] == (
        f"{reverse('login')}?next={reverse('participants:list')}",
        302,
    )
    assert not signed_in(client)
    assert (
        "Sesi Anda berakhir karena tidak ada aktivitas selama 30 menit. Silakan masuk "
        "lagi." in response.text
    )


def test_activity_within_the_idle_time_keeps_the_session(client, joglo):
    shift(client, LAST_SEEN, 29 * MINUTE)
    before = client.session[LAST_SEEN]

    response = client.get(reverse("participants:list"))

    assert response.status_code == 200
    assert signed_in(client)
    assert client.session[LAST_SEEN] >= before + 29 * MINUTE


def test_idle_minutes_come_from_the_settings(client, joglo, settings):
    settings.SESSION_IDLE_MINUTES = 5
    shift(client, LAST_SEEN, 6 * MINUTE)

    response = client.get(reverse("participants:list"), follow=True)

    assert not signed_in(client)
    assert "selama 5 menit" in response.text


def test_the_absolute_limit_holds_however_active_the_user(client, joglo, settings):
    shift(client, SIGNED_IN, settings.SESSION_COOKIE_AGE + MINUTE)

    response = client.get(reverse("participants:list"), follow=True)

    assert not signed_in(client)
    assert "Sesi Anda sudah berakhir setelah 8 jam. Silakan masuk lagi." in (
        response.text
    )


def test_a_login_through_the_form_starts_both_clocks(client, places):
    staff_user(Role.KELURAHAN, username="kelurahan.joglo")

    client.post(reverse("login"), {"username": "kelurahan.joglo", "password": PASSWORD})

    assert signed_in(client)
    assert client.session[SIGNED_IN] == client.session[LAST_SEEN]


def test_a_quick_request_does_not_rewrite_the_session(client, joglo):
    before = client.session[LAST_SEEN]

    client.get(reverse("participants:list"))

    assert client.session[LAST_SEEN] == before
