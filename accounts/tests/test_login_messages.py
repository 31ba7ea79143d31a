"""What a refused login says, on the app's login page and the admin's, in both languages."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.forms import AdminLoginForm, LoginForm
from accounts.models import Role
from accounts.tests.factories import staff_user
from accounts.throttle import lockout_message

# A word or two said twice in a row ("nama pengguna nama pengguna").
REPEATED = re.compile(r"\b(\w+(?: \w+)?) \1\b", re.IGNORECASE)
PAGES = [("login", LoginForm), ("admin:login", AdminLoginForm)]


def refused(client, url, username, language, times=1):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for _ in range(times):
        response = client.post(
            reverse(url), {"username": username, "password": "salah-sandi"}
        )
    return response, " ".join(response.context["form"].non_field_errors())


@pytest.mark.parametrize("url,form", PAGES)
@pytest.mark.parametrize("language", ["id", "en"])
def test_a_wrong_password_is_told_once_in_plain_words(
    client, places, url, form, language
):
    staff_user(Role.ADMIN, username="kepala")

    response, message = refused(client, url, "kepala", language)

    assert response.status_code == 200
    with translation.override(language):
        assert message == str(form.error_messages["invalid_login"])
    assert not REPEATED.search(message), message


def test_the_indonesian_wording(client, places):
    staff_user(Role.KELURAHAN, username="kelurahan.joglo")

    _response, message = refused(client, "login", "kelurahan.joglo", "id")
    _response, admin_message = refused(client, "admin:login", "kelurahan.joglo", "id")

    assert message == (
        "Nama pengguna atau kata sandi salah. Periksa huruf besar/kecil, lalu coba lagi."
    )
    assert admin_message == (
        "Nama pengguna atau kata sandi salah, atau akun ini bukan akun admin. "
        "Periksa huruf besar/kecil, lalu coba lagi."
    )


@pytest.mark.parametrize("url,form", PAGES)
@pytest.mark.parametrize("language", ["id", "en"])
def test_the_lockout_is_told_once_in_plain_words(client, places, url, form, language):
    staff_user(Role.ADMIN, username="kepala")

    response, message = refused(
        client, url, "kepala", language, times=settings.LOGIN_FAILURE_LIMIT + 1
    )

    assert response.status_code == 429
    with translation.override(language):
        assert message == lockout_message()
    assert not REPEATED.search(message), message
