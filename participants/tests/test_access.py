"""Who sees which resident: the permission matrix for list, detail, edit, export and search."""

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import staff_user
from participants.tests.factories import ResidentFactory
from wilayah.models import Village

# (role, scope) -> what they may do with a resident of Joglo (Kembangan, Jakarta Barat).
VIEWERS = {
    "owner": (Role.KELURAHAN, "31.73.08.1005"),
    "colleague": (Role.KELURAHAN, "31.73.08.1001"),  # Kembangan Utara, same kecamatan
    "kecamatan": (Role.KECAMATAN, "31.73.08"),
    "other_kecamatan": (Role.KECAMATAN, "31.73.01"),
    "outsider": (Role.KELURAHAN, "31.73.01.1005"),  # Kapuk
    "sudin": (Role.SUDIN, "31.73:PPKUKM"),
    "pimpinan": (Role.PIMPINAN, "31.73"),
    "pimpinan_other_kota": (Role.PIMPINAN, "31.75"),
    "admin": (Role.ADMIN, ""),
}
SEES = {"owner", "kecamatan", "pimpinan", "admin"}
EDITS = {"owner", "kecamatan", "admin"}


@pytest.fixture
def resident(places):
    return ResidentFactory(full_name="Siti Aminah")


def login(client, viewer):
    if viewer != "anonymous":
        client.force_login(staff_user(*VIEWERS[viewer]))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_detail(client, resident, viewer):
    login(client, viewer)

    status = client.get(resident.get_absolute_url()).status_code

    assert status == (200 if viewer in SEES else 404)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_edit(client, resident, viewer):
    login(client, viewer)

    status = client.get(reverse("participants:edit", args=[resident.pk])).status_code

    expected = 200 if viewer in EDITS else 403 if viewer in SEES else 404
    assert status == expected


@pytest.mark.parametrize("viewer", VIEWERS)
def test_void_by_guessing_the_url(client, resident, viewer):
    login(client, viewer)

    client.post(reverse("participants:void", args=[resident.pk]), {"reason": "coba"})

    resident.refresh_from_db()
    assert resident.is_void == (viewer in EDITS)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_list_and_name_search(client, resident, viewer):
    login(client, viewer)

    response = client.get(reverse("participants:list"), {"q": "aminah"})

    if viewer == "sudin":
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        assert ("Siti Aminah" in response.content.decode()) == (viewer in SEES)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_nik_search(client, resident, viewer):
    login(client, viewer)

    response = client.post(reverse("participants:list"), {"q": resident.nik})

    if viewer == "sudin":
        assert response.status_code == 403
    elif viewer in SEES:
        assert response.url == resident.get_absolute_url()
    else:
        assert resident.get_absolute_url() not in response.url


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export(client, resident, viewer, fmt):
    login(client, viewer)

    response = client.get(reverse(f"participants:export_{fmt}"))

    if viewer == "sudin":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    if fmt == "csv":
        assert ("Siti Aminah" in body.decode()) == (viewer in SEES)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_sudin_style_lookup_by_exact_nik(client, resident, viewer):
    login(client, viewer)

    response = client.post(reverse("participants:lookup"), {"nik": resident.nik})

    assert response.status_code == 200
    found = "Siti Aminah" in response.content.decode()
    assert found == (viewer in {"owner", "kecamatan", "pimpinan", "admin", "sudin"})


def test_sudin_lookup_stays_in_its_kota(client, places):
    ResidentFactory(
        full_name="Warga Timur", village=Village.objects.get(code="31.75.01.1001")
    )
    resident = ResidentFactory(full_name="Warga Barat")
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))
    timur = ResidentFactory._meta.model.objects.get(full_name="Warga Timur")

    assert (
        "Warga Barat"
        in client.post(
            reverse("participants:lookup"), {"nik": resident.nik}
        ).content.decode()
    )
    page = client.post(
        reverse("participants:lookup"), {"nik": timur.nik}
    ).content.decode()
    assert "Warga Timur" not in page
    assert "Tidak ada warga terdaftar" in page


@pytest.mark.parametrize("viewer", ["anonymous"])
@pytest.mark.parametrize(
    "name",
    [
        "participants:list",
        "participants:create",
        "participants:lookup",
        "participants:export_csv",
    ],
)
def test_anonymous_is_sent_to_login(client, db, viewer, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_anonymous_cannot_open_a_resident(client, resident):
    response = client.get(resident.get_absolute_url())

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("viewer", ["sudin", "pimpinan"])
def test_non_keepers_cannot_register(client, places, viewer):
    login(client, viewer)

    assert client.get(reverse("participants:create")).status_code == 403
