from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import staff_user


@pytest.fixture
def demo(places, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())


def cells(response) -> dict[str, list[str]]:
    """{Sudin: [cell text per kecamatan]} from the rendered matrix."""
    return {
        row.agency.short_name: [
            "tidak ada" if lead is None else lead.name for _d, lead in row.cells
        ]
        for row in response.context["coverage"]
    }


def test_sekkota_sees_parekraf_as_all_gaps_with_the_demo_data(client, demo):
    client.force_login(staff_user(Role.PIMPINAN, "31.73"))

    response = client.get(reverse("programs:coverage"))

    matrix = cells(response)
    assert matrix["Parekraf"] == ["tidak ada"] * 8
    for short_name in ["Nakertransgi", "KPKP", "PPKUKM", "Sosial", "PPAPP"]:
        assert "tidak ada" not in matrix[short_name]
    page = response.content.decode()
    assert "8 pasangan Sudin–kecamatan tanpa Kasatlak/Kasatpel" in page
    assert page.count('class="coverage-gap"') == 8


def test_sudin_sees_only_its_own_row(client, demo):
    client.force_login(staff_user(Role.SUDIN, "31.73:Parekraf"))

    response = client.get(reverse("programs:coverage"))

    assert list(cells(response)) == ["Parekraf"]


def test_admin_picks_a_kota(client, demo):
    client.force_login(staff_user(Role.ADMIN))

    response = client.get(reverse("programs:coverage"), {"kota": "31.75"})

    assert response.context["city"].code == "31.75"
    assert all(cell == "tidak ada" for row in cells(response).values() for cell in row)


@pytest.mark.parametrize(
    ("role", "scope"), [(Role.KELURAHAN, "31.73.08.1005"), (Role.KECAMATAN, "31.73.08")]
)
def test_kelurahan_and_kecamatan_staff_get_403(client, places, role, scope):
    client.force_login(staff_user(role, scope))

    assert client.get(reverse("programs:coverage")).status_code == 403
