import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import staff_user
from programs.models import Agency
from programs.services import field_lead_create
from wilayah.models import District


@pytest.fixture
def leads(places):
    """Every Jakarta Barat Sudin has a lead in every kecamatan, but Parekraf in none."""
    for agency in Agency.objects.filter(city__code="31.73").exclude(
        short_name="Parekraf"
    ):
        for district in District.objects.filter(city__code="31.73"):
            field_lead_create(
                agency=agency, district=district, name=f"Kasatpel {district.name}"
            )


def cells(response) -> dict[str, list[str]]:
    """{Sudin: [cell text per kecamatan]} from the rendered matrix."""
    return {
        row.agency.short_name: [
            "tidak ada" if lead is None else lead.name for _d, lead in row.cells
        ]
        for row in response.context["coverage"]
    }


def test_sekkota_sees_a_sudin_without_leads_as_all_gaps(client, leads):
    client.force_login(staff_user(Role.PIMPINAN, "31.73"))

    response = client.get(reverse("programs:coverage"))

    matrix = cells(response)
    assert matrix["Parekraf"] == ["tidak ada"] * 8
    for short_name in ["Nakertransgi", "KPKP", "PPKUKM", "Sosial", "PPAPP"]:
        assert "tidak ada" not in matrix[short_name]
    page = response.content.decode()
    assert "8 pasangan Sudin–kecamatan tanpa Kasatlak/Kasatpel" in page
    assert page.count('class="coverage-gap"') == 8


def test_sudin_sees_only_its_own_row(client, leads):
    client.force_login(staff_user(Role.SUDIN, "31.73:Parekraf"))

    response = client.get(reverse("programs:coverage"))

    assert list(cells(response)) == ["Parekraf"]


def test_admin_picks_a_kota(client, leads):
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
