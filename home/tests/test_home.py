from itertools import permutations

import pytest
from django.urls import reverse
from django.views.defaults import server_error

from accounts.models import Role
from accounts.tests.factories import PASSWORD, UserFactory, staff_user

HOMES = {
    Role.KELURAHAN: "home:kelurahan",
    Role.KECAMATAN: "home:kecamatan",
    Role.SUDIN: "home:sudin",
    Role.PIMPINAN: "reports:dashboard",
}
# Every page of the app (the admin has its own login page).
PAGES = [
    "home:home",
    *HOMES.values(),
    "password_change",
    "password_change_done",
]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_user_is_sent_to_login(client, name):
    url = reverse(name)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_admin_pages_send_anonymous_user_to_admin_login(client):
    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_login_page_and_healthz_are_open(client, db):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200


@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_lands_on_its_own_home(client, places, role):
    user = staff_user(role)

    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse(HOMES[role])
    assert response.status_code == 200


def test_admin_lands_on_django_admin(client, places):
    user = staff_user(Role.ADMIN)

    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("admin:index")


@pytest.mark.parametrize(("role", "other"), list(permutations(HOMES, 2)))
def test_role_is_refused_on_another_roles_home(client, places, role, other):
    client.force_login(staff_user(role))

    response = client.get(reverse(HOMES[other]))

    assert response.status_code == 403
    assert "Akses ditolak" in response.content.decode()


def test_user_without_role_is_refused(client, places):
    client.force_login(UserFactory())

    assert client.get(reverse("home:home")).status_code == 403


def test_kelurahan_home_shows_its_place_and_field_lead_gaps(client, places):
    client.force_login(staff_user(Role.KELURAHAN, "31.73.08.1005"))

    page = client.get(reverse("home:kelurahan")).content.decode()

    assert "Kelurahan Joglo" in page
    assert "Kecamatan Kembangan" in page
    # No field leads yet: every Sudin is a gap in Kembangan.
    assert page.count('class="coverage-gap"') == 6


def test_navigation_shows_admin_link_only_to_admins(client, places):
    client.force_login(staff_user(Role.PIMPINAN))
    page = client.get(reverse("programs:list")).content.decode()
    assert reverse("admin:index") not in page

    client.force_login(staff_user(Role.ADMIN))
    page = client.get(reverse("programs:list")).content.decode()
    assert reverse("admin:index") in page


def test_logout_ends_the_session(client, places):
    client.force_login(staff_user(Role.KELURAHAN))

    response = client.post(reverse("logout"))

    assert response.url == reverse("login")
    assert client.get(reverse("home:home")).status_code == 302


def test_password_change_page_is_in_indonesian(client, places):
    client.force_login(staff_user(Role.KELURAHAN))

    page = client.get(reverse("password_change")).content.decode()

    assert "Ganti kata sandi" in page
    assert "Sandi lama" in page


def test_wrong_password_message_is_in_indonesian(client, places):
    user = staff_user(Role.KELURAHAN)

    response = client.post(
        reverse("login"), {"username": user.username, "password": "salah"}
    )

    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah." in response.content.decode()


def test_language_switch_shows_english(client, places):
    client.force_login(staff_user(Role.KELURAHAN))

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home:kelurahan")).content.decode()

    assert "Change password" in page
    assert "Register resident" in page


def test_404_page_is_in_indonesian(client, places):
    client.force_login(staff_user(Role.KELURAHAN))

    response = client.get("/tidak-ada/")

    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_500_page_is_in_indonesian(rf):
    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Terjadi kesalahan di server" in response.content.decode()


def test_indonesian_whatever_the_browser_asks_and_english_when_chosen(client, places):
    client.force_login(staff_user(Role.KELURAHAN))
    english_browser = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}

    asked = client.get(reverse("home:kelurahan"), **english_browser).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    chosen = client.get(reverse("home:kelurahan"), **english_browser).content.decode()
    client.post(reverse("logout"))
    login = client.get(reverse("login"), **english_browser).content.decode()

    assert "Daftarkan warga" in asked and "Register resident" not in asked
    assert "Register resident" in chosen
    assert 'lang="en"' in login  # the choice stays after logging out
