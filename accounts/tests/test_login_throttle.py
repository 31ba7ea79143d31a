import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import PASSWORD, staff_user
from accounts.throttle import client_address

LOCKED = "Terlalu banyak percobaan masuk yang gagal"
WRONG = "Nama pengguna atau kata sandi salah."


def log_in(client, username, password, address="10.1.2.3", url=None):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def joglo(places):
    return staff_user(Role.KELURAHAN, username="kelurahan.joglo")


def test_sixth_wrong_password_locks_the_username_even_for_the_right_password(
    client, joglo
):
    for _ in range(5):
        response = log_in(client, "kelurahan.joglo", "salah-sandi")
        assert response.status_code == 200
        assert WRONG in response.text

    sixth = log_in(client, "kelurahan.joglo", "salah-sandi")
    right = log_in(client, "kelurahan.joglo", PASSWORD)

    for response in (sixth, right):
        assert response.status_code == 429
        assert (
            "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 15 menit, atau "
            "minta admin membuka kuncinya." in response.text
        )
        assert response.templates[0].name == "registration/login.html"
    assert not is_logged_in(client)


def test_a_locked_username_is_locked_from_every_address(client, joglo):
    for _ in range(6):
        log_in(client, "kelurahan.joglo", "salah-sandi", address="10.1.2.3")

    response = log_in(client, "kelurahan.joglo", PASSWORD, address="10.9.9.9")

    assert response.status_code == 429
    assert not is_logged_in(client)


def test_an_address_over_its_limit_is_locked_for_every_username(
    client, joglo, settings
):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for name in ("budi", "siti", "agus"):
        assert log_in(client, name, "tebakan").status_code == 200

    fourth = log_in(client, "dewi", "tebakan")
    right_from_there = log_in(client, "kelurahan.joglo", PASSWORD)
    right_from_elsewhere = log_in(
        client, "kelurahan.joglo", PASSWORD, address="10.9.9.9"
    )

    assert fourth.status_code == 429
    assert LOCKED in fourth.text
    assert right_from_there.status_code == 429
    assert right_from_elsewhere.status_code == 302
    assert is_logged_in(client)


def test_the_lock_lifts_after_the_configured_minutes(client, joglo, settings):
    settings.LOGIN_COOLOFF_MINUTES = 30
    for _ in range(6):
        response = log_in(client, "kelurahan.joglo", "salah-sandi")
    assert "Coba lagi dalam 30 menit" in response.text

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))

    assert log_in(client, "kelurahan.joglo", PASSWORD).status_code == 302


def test_admin_lifts_a_lock_in_django_admin(client, joglo, places):
    for _ in range(6):
        log_in(client, "kelurahan.joglo", "salah-sandi")
    admin = staff_user(Role.ADMIN)
    client.force_login(admin)

    changelist = client.get(reverse("admin:axes_accessattempt_changelist"))
    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(
                AccessAttempt.objects.filter(username="kelurahan.joglo").values_list(
                    "pk", flat=True
                )
            ),
            "post": "yes",
        },
    )
    client.logout()

    assert "kelurahan.joglo" in changelist.text
    assert response.status_code == 302
    assert log_in(client, "kelurahan.joglo", PASSWORD).status_code == 302


def test_django_admin_login_is_throttled_too(client, places):
    staff_user(Role.ADMIN, username="kepala")
    url = reverse("admin:login")
    for _ in range(6):
        response = log_in(client, "kepala", "salah-sandi", url=url)

    right = log_in(client, "kepala", PASSWORD, url=url)

    assert response.status_code == right.status_code == 429
    assert LOCKED in right.text
    assert not is_logged_in(client)


def test_failed_logins_are_logged_without_any_password(client, joglo, caplog):
    caplog.set_level(logging.DEBUG)

    log_in(client, "kelurahan.joglo", "Sandi-Bocor-Satu-91")
    # Someone types their password into the username box.
    log_in(client, "Sandi-Bocor-Dua-92", "Sandi-Bocor-Dua-92")
    for _ in range(5):
        log_in(client, "kelurahan.joglo", "Sandi-Bocor-Tiga-93")

    logged = caplog.text
    stored = " ".join(
        AccessAttempt.objects.values_list("get_data", "post_data", "username").get(
            username="kelurahan.joglo"
        )
    )
    assert 'login failure by {username: "kelurahan.joglo", address: "10.1.2.3"' in (
        logged
    )
    assert "Locking out" in logged
    assert "Bocor" not in logged
    assert "Bocor" not in stored


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "1.1.1.1, 203.0.113.9", "203.0.113.9"),
        (2, "1.1.1.1, 203.0.113.9, 10.0.0.5", "203.0.113.9"),
        (1, "", "10.0.0.2"),
        (1, "bukan-alamat", "10.0.0.2"),
    ],
)
def test_client_address_trusts_only_the_configured_proxies(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded
    )

    assert client_address(request) == expected
