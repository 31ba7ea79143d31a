from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.models import Role, StaffProfile

User = get_user_model()


def run(*args, **env) -> str:
    out = StringIO()
    call_command("create_staff", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", "Kelurahan-Joglo-2025")
    return "Kelurahan-Joglo-2025"


def test_creates_a_kelurahan_account_with_its_scope(places, password):
    out = run(
        "joglo1",
        "--role",
        "kelurahan",
        "--scope",
        "31.73.08.1005",
        "--name",
        "Siti Aminah",
    )

    user = User.objects.get(username="joglo1")
    assert "Akun joglo1 dibuat: Petugas kelurahan, Joglo" in out
    assert user.staff.role == Role.KELURAHAN
    assert user.staff.village.code == "31.73.08.1005"
    assert user.check_password(password)
    assert user.get_full_name() == "Siti Aminah"
    assert not user.is_staff


@pytest.mark.parametrize(
    ("role", "scope", "field", "code"),
    [
        ("kecamatan", "31.73.08", "district", "31.73.08"),
        ("pimpinan", "31.73", "city", "31.73"),
    ],
)
def test_creates_place_roles(places, password, role, scope, field, code):
    run("akun", "--role", role, "--scope", scope)

    assert getattr(User.objects.get(username="akun").staff, field).code == code


def test_sudin_scope_names_kota_and_agency(places, password):
    run("ppkukm1", "--role", "sudin", "--scope", "31.73:ppkukm")

    agency = User.objects.get(username="ppkukm1").staff.agency
    assert (agency.city.code, agency.short_name) == ("31.73", "PPKUKM")


def test_admin_becomes_superuser(places, password):
    run("kepala", "--role", "admin")

    user = User.objects.get(username="kepala")
    assert user.is_superuser and user.is_staff
    assert user.staff.role == Role.ADMIN


def test_running_again_updates_role_and_scope(places, password):
    run("joglo1", "--role", "kelurahan", "--scope", "31.73.08.1005")

    out = run("joglo1", "--role", "kecamatan", "--scope", "31.73.08", "--no-password")

    profile = StaffProfile.objects.get(user__username="joglo1")
    assert "diperbarui" in out
    assert (profile.role, profile.village, profile.district.code) == (
        "kecamatan",
        None,
        "31.73.08",
    )
    assert StaffProfile.objects.filter(user__username="joglo1").count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--role", "lurah", "--scope", "31.73.08.1005"],
            "role: Peran 'lurah' tidak dikenal",
        ),
        (
            ["--role", "kelurahan", "--scope", "31.73.08.9999"],
            "scope: '31.73.08.9999' tidak ditemukan",
        ),
        (
            ["--role", "kelurahan", "--scope", "31.73.08"],
            "scope: '31.73.08' tidak ditemukan",
        ),
        (["--role", "kelurahan"], "scope: Peran ini perlu --scope"),
        (["--role", "sudin", "--scope", "31.73:Pariwisata"], "contoh 31.73:PPKUKM"),
        (["--role", "admin", "--scope", "31.73"], "Admin tidak memakai"),
    ],
)
def test_bad_role_or_scope_is_a_clear_error(places, password, args, message):
    with pytest.raises(CommandError, match=message):
        run("salah", *args)

    assert not User.objects.filter(username="salah").exists()


def test_weak_password_is_refused(places, monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", "12345678")

    with pytest.raises(CommandError, match="password"):
        run("lemah", "--role", "kelurahan", "--scope", "31.73.08.1005")

    assert not User.objects.filter(username="lemah").exists()


def test_new_account_without_password_is_refused(places, monkeypatch):
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="STAFF_PASSWORD"):
        run("tanpa", "--role", "kelurahan", "--scope", "31.73.08.1005")


def test_password_env_names_another_variable(places, monkeypatch):
    monkeypatch.setenv("SANDI_JOGLO", "Sandi-Joglo-9876")

    run(
        "joglo2",
        "--role",
        "kelurahan",
        "--scope",
        "31.73.08.1005",
        "--password-env",
        "SANDI_JOGLO",
    )

    assert User.objects.get(username="joglo2").check_password("Sandi-Joglo-9876")
