from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Role, StaffProfile
from accounts.tests.factories import PASSWORD, staff_user
from demo.accounts import demo_accounts
from wilayah.models import Village

User = get_user_model()
STRONG = "Tenang-Sore-Kemang-47"


def change_password(client, new, *, old=PASSWORD, again=None):
    return client.post(
        reverse("password_change"),
        {
            "old_password": old,
            "new_password1": new,
            "new_password2": new if again is None else again,
        },
    )


@pytest.fixture
def joglo(client, places):
    user = staff_user(Role.KELURAHAN, username="petugas.joglo")
    client.force_login(user)
    return user


@pytest.mark.parametrize("password", ["jakpreneur", "JAKPRENEUR", "Jakpreneur2025!"])
def test_password_change_refuses_the_published_demo_password(client, joglo, password):
    response = change_password(client, password)

    assert response.status_code == 200
    assert "Kata sandi ini mudah ditebak" in response.text
    joglo.refresh_from_db()
    assert joglo.check_password(PASSWORD)


def test_password_change_refuses_the_configured_demo_password(client, joglo, settings):
    settings.DEMO_PASSWORD = "Pintu-Demo-Kota-88"

    response = change_password(client, "Pintu-Demo-Kota-88")

    assert "Kata sandi ini mudah ditebak" in response.text


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("password123", "Kata sandi ini terlalu umum."),
        ("bismillah", "Kata sandi ini terlalu umum."),
        ("83160942571", "Kata sandi ini seluruhnya terdiri dari angka."),
        (
            "Ab1!xyz",
            "Kata sandi terlalu pendek. Harus mengandung setidaknya 8 karakter.",
        ),
        ("petugas.joglo1", "Kata sandi terlalu mirip dengan nama pengguna."),
        ("Jakarta-Barat-2025", "Kata sandi ini mudah ditebak"),
        (PASSWORD, "Kata sandi baru harus berbeda dari kata sandi lama."),
    ],
)
def test_password_change_explains_each_refusal_in_indonesian(
    client, joglo, new, message
):
    response = change_password(client, new)

    assert response.status_code == 200
    assert message in response.text
    joglo.refresh_from_db()
    assert joglo.check_password(PASSWORD)


def test_password_change_form_errors_are_indonesian_too(client, joglo):
    wrong_old = change_password(client, STRONG, old="bukan-sandi-lama")
    mismatch = change_password(client, STRONG, again=STRONG + "x")

    assert "Sandi lama Anda yang dimasukkan salah" in wrong_old.text
    assert "Dua bidang sandi tidak cocok." in mismatch.text


def test_a_strong_password_is_accepted(client, joglo):
    response = change_password(client, STRONG)

    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    joglo.refresh_from_db()
    assert joglo.check_password(STRONG)


# First login: staff whose password an admin set must choose their own.


def flagged(username: str) -> bool:
    return StaffProfile.objects.get(user__username=username).must_change_password


def test_staff_created_with_create_staff_must_change_password_first(
    client, places, monkeypatch
):
    monkeypatch.setenv("STAFF_PASSWORD", "Awal-Dari-Admin-2025")
    out = StringIO()
    call_command(
        "create_staff",
        "kel.joglo",
        "--role",
        "kelurahan",
        "--scope",
        "31.73.08.1005",
        stdout=out,
    )
    client.force_login(User.objects.get(username="kel.joglo"))

    home = client.get(reverse("home:home"))
    residents = client.get(reverse("participants:list"))
    form = client.get(reverse("password_change"))
    changed = change_password(client, STRONG, old="Awal-Dari-Admin-2025")
    after = client.get(reverse("home:home"))

    assert "wajib mengganti kata sandi" in out.getvalue()
    assert home.status_code == residents.status_code == 302
    assert home.url == residents.url == reverse("password_change")
    assert "Kata sandi Anda ditetapkan oleh admin" in form.text
    assert changed.status_code == 302
    assert not flagged("kel.joglo")
    assert after.url == reverse("home:kelurahan")


def test_a_password_reset_with_create_staff_must_be_changed_again(
    client, places, monkeypatch
):
    monkeypatch.setenv("STAFF_PASSWORD", "Awal-Dari-Admin-2025")
    user = staff_user(Role.KELURAHAN, username="kel.joglo")

    call_command(
        "create_staff",
        "kel.joglo",
        "--role",
        "kelurahan",
        "--scope",
        "31.73.08.1005",
        stdout=StringIO(),
    )
    user.refresh_from_db()
    client.force_login(user)

    assert flagged("kel.joglo")
    assert client.get(reverse("home:kelurahan")).url == reverse("password_change")


def test_staff_may_log_out_before_changing_their_password(client, places):
    user = staff_user(Role.KELURAHAN)
    StaffProfile.objects.filter(user=user).update(must_change_password=True)
    client.force_login(user)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_staff_added_in_django_admin_must_change_password_first(client, places):
    client.force_login(staff_user(Role.ADMIN))
    village = Village.objects.get(code="31.73.08.1005")

    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "kel.baru",
            "usable_password": "true",
            "password1": "Awal-Dari-Admin-2025",
            "password2": "Awal-Dari-Admin-2025",
            "staff-TOTAL_FORMS": "1",
            "staff-INITIAL_FORMS": "0",
            "staff-MIN_NUM_FORMS": "0",
            "staff-MAX_NUM_FORMS": "1",
            "staff-0-role": Role.KELURAHAN,
            "staff-0-village": village.pk,
        },
    )

    assert response.status_code == 302, response.context["errors"]
    assert flagged("kel.baru")


def test_a_password_an_admin_sets_in_django_admin_must_be_changed(client, places):
    user = staff_user(Role.KELURAHAN, username="kel.joglo")
    client.force_login(staff_user(Role.ADMIN))

    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {
            "usable_password": "true",
            "password1": "Reset-Oleh-Admin-2025",
            "password2": "Reset-Oleh-Admin-2025",
        },
    )

    assert response.status_code == 302
    assert flagged("kel.joglo")


def test_admin_cannot_set_the_demo_password_either(client, places):
    user = staff_user(Role.KELURAHAN, username="kel.joglo")
    client.force_login(staff_user(Role.ADMIN))

    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {
            "usable_password": "true",
            "password1": "jakpreneur",
            "password2": "jakpreneur",
        },
    )

    assert response.status_code == 200
    assert "Kata sandi ini mudah ditebak" in response.text


def test_demo_accounts_log_straight_in_with_the_demo_password(client, places):
    demo_accounts(password="jakpreneur")

    response = client.post(
        reverse("login"), {"username": "kelurahan.joglo", "password": "jakpreneur"}
    )
    home = client.get(reverse("home:home"))

    assert response.status_code == 302
    assert home.url == reverse("home:kelurahan")
    assert not StaffProfile.objects.filter(must_change_password=True).exists()
