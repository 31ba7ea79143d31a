"""The registration form: every error and every warning, on its field, in Indonesian."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import staff_user
from participants.identity import nik_build
from participants.models import Resident
from participants.tests.factories import ResidentFactory
from wilayah.models import Village

TODAY = date(2026, 11, 29)
TOMORROW = object()  # the day after the `today` fixture
NIK = nik_build(
    district_code="31.73.08", birth_date=date(1990, 8, 5), gender="P", serial=1
)


def form_data(**overrides):
    data = {
        "nik": NIK,
        "kk_number": "",
        "full_name": "Siti Aminah",
        "gender": "P",
        "birth_place": "Jakarta",
        "birth_date": "1990-08-05",
        "phone": "0812-3456-7890",
        "email": "",
        "address": "Jl. Joglo Raya No. 5",
        "rt": "5",
        "rw": "2",
        "education": "sma",
        "registered_on": "2025-03-01",
        "heard_via": "outreach",
    }
    data.update(overrides)
    return data


@pytest.fixture
def joglo_client(client, places):
    client.force_login(staff_user(Role.KELURAHAN, "31.73.08.1005"))
    return client


def post(client, **overrides):
    return client.post(reverse("participants:create"), form_data(**overrides))


def errors(response) -> dict:
    return response.context["form"].errors


def test_valid_registration_creates_one_resident_and_opens_it(joglo_client):
    response = post(joglo_client)

    resident = Resident.objects.get()
    assert response.status_code == 302
    assert response.url == resident.get_absolute_url()
    assert resident.village.code == "31.73.08.1005"
    assert resident.phone == "+6281234567890"
    assert (resident.rt, resident.rw) == ("005", "002")
    assert resident.registered_by.staff.role == Role.KELURAHAN
    assert resident.history.count() == 1


def test_kelurahan_user_cannot_register_into_another_kelurahan(joglo_client):
    kapuk = Village.objects.get(code="31.73.01.1005")

    post(joglo_client, village=kapuk.pk)

    assert Resident.objects.get().village.code == "31.73.08.1005"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nik", "31730845089000A1", "NIK hanya boleh berisi angka"),
        ("nik", "317308450890001", "NIK harus 16 digit"),
        ("nik", "9973084508900001", "bukan kode provinsi"),
        ("nik", "3173083213900001", "bukan tanggal yang sah"),
        ("nik", "3173084508900000", "tidak boleh 0000"),
        ("kk_number", "12345", "Nomor KK harus 16 digit"),
        ("phone", "12345", "Nomor telepon tidak dikenali"),
        ("birth_date", TOMORROW, "Tanggal lahir tidak boleh di masa depan"),
        (
            "registered_on",
            TOMORROW,
            "Tanggal pendaftaran tidak boleh di masa depan",
        ),
        ("registered_on", "1980-01-01", "tidak boleh sebelum tanggal lahir"),
        ("rt", "abc", "Isi dengan angka 1–999"),
        ("rw", "1000", "paling banyak 3 karakter"),
        ("rw", "0", "Isi dengan angka 1–999"),
        ("full_name", "", "tidak boleh kosong"),
        ("full_name", "!!!", "Nama lengkap harus berisi huruf"),
        ("email", "bukan-email", "alamat email yang valid"),
        ("business_started_year", "1900", "Tahun mulai usaha antara 1945"),
    ],
)
def test_bad_input_is_an_error_on_its_field_and_nothing_is_saved(
    joglo_client, today, field, value, message
):
    if value is TOMORROW:
        value = (today + timedelta(days=1)).isoformat()
    response = post(joglo_client, **{field: value})

    assert response.status_code == 200
    assert message in " ".join(errors(response)[field])
    assert not Resident.objects.exists()
    # What the user typed is kept.
    assert response.context["form"][field].value() == value


def test_business_details_are_required_when_resident_has_a_business(joglo_client):
    response = post(joglo_client, has_business="on")

    assert (
        "Wajib diisi bila warga sudah punya usaha"
        in errors(response)["business_name"][0]
    )
    assert "business_sector" in errors(response)


def test_duplicate_nik_is_refused_naming_where_and_linking_when_visible(joglo_client):
    existing = ResidentFactory(nik=NIK)

    response = post(joglo_client)

    message = errors(response)["nik"][0]
    assert "sudah terdaftar di Kelurahan Joglo, Kecamatan Kembangan" in message
    assert response.context["form"].duplicate_of == existing
    assert existing.get_absolute_url() in response.content.decode()
    assert Resident.objects.count() == 1


@pytest.mark.parametrize("other", ["31.73.01.1005", "31.75.01.1001"])
def test_duplicate_outside_the_clerks_area_says_whom_to_ask_and_nothing_about_them(
    client, places, other
):
    elsewhere = ResidentFactory(
        nik=NIK, village=Village.objects.get(code=other), registered_on=date(2024, 2, 3)
    )
    client.force_login(staff_user(Role.KELURAHAN, "31.73.08.1005"))

    response = post(client)

    message = errors(response)["nik"][0]
    assert "sudah terdaftar di Jakpreneur di wilayah lain" in message
    assert "meja PKT kecamatan" in message
    page = response.content.decode()
    for secret in (
        elsewhere.village.name,
        elsewhere.village.district.name,
        "03/02/2024",
        elsewhere.get_absolute_url(),
        elsewhere.full_name,
    ):
        assert secret not in message and secret not in page
    assert response.context["form"].duplicate_of is None


@pytest.mark.parametrize(
    ("overrides", "warning"),
    [
        (
            {
                "nik": nik_build(
                    district_code="31.73.01",
                    birth_date=date(1990, 8, 5),
                    gender="P",
                    serial=9,
                )
            },
            "NIK diterbitkan di Kecamatan Cengkareng, Jakarta Barat",
        ),
        (
            {
                "nik": nik_build(
                    district_code="32.01.01",
                    birth_date=date(1990, 8, 5),
                    gender="P",
                    serial=9,
                )
            },
            "NIK diterbitkan di 32.01.01",
        ),
        ({"birth_date": "1990-08-06"}, "Tanggal lahir di NIK 05/08/1990"),
        ({"gender": "L"}, "jenis kelamin Perempuan"),
    ],
)
def test_disagreement_with_the_nik_is_a_warning_to_confirm(
    joglo_client, overrides, warning
):
    response = post(joglo_client, **overrides)

    form = response.context["form"]
    assert any(warning in str(w) for w in form.warnings)
    assert "centang kotak ini" in form.errors["confirm_warnings"][0]
    assert not Resident.objects.exists()

    confirmed = post(joglo_client, confirm_warnings="on", **overrides)

    assert confirmed.status_code == 302
    assert Resident.objects.count() == 1


def test_same_name_and_birth_date_in_the_kota_is_a_possible_duplicate(joglo_client):
    ResidentFactory(
        full_name="SITI  aminah",
        birth_date=date(1990, 8, 5),
        village=Village.objects.get(code="31.73.01.1005"),
    )

    response = post(joglo_client)

    warnings = [str(w) for w in response.context["form"].warnings]
    assert any("Mungkin ganda" in w and "wilayah lain" in w for w in warnings)
    assert "Kapuk" not in response.content.decode()
    assert post(joglo_client, confirm_warnings="on").status_code == 302


def test_possible_duplicate_in_the_clerks_own_area_names_the_kelurahan(client, places):
    ResidentFactory(
        full_name="SITI  aminah",
        birth_date=date(1990, 8, 5),
        village=Village.objects.get(code="31.73.08.1001"),
    )
    client.force_login(staff_user(Role.KECAMATAN, "31.73.08"))

    response = post(client, village=Village.objects.get(code="31.73.08.1005").pk)

    assert any(
        "Mungkin ganda" in str(w) and "Kembangan Utara" in str(w)
        for w in response.context["form"].warnings
    )


def test_kecamatan_user_chooses_among_its_kelurahan_only(client, places):
    client.force_login(staff_user(Role.KECAMATAN, "31.73.08"))
    kapuk = Village.objects.get(code="31.73.01.1005")
    meruya = Village.objects.get(code="31.73.08.1001")

    refused = post(client, village=kapuk.pk)
    accepted = post(client, village=meruya.pk)

    assert "village" in errors(refused)
    assert accepted.status_code == 302
    assert Resident.objects.get().village == meruya


def test_nik_preview_tells_what_the_nik_encodes(joglo_client):
    response = joglo_client.post(reverse("participants:nik_info"), {"nik": NIK})

    page = response.content.decode()
    assert "5 Agustus 1990" in page
    assert "perempuan" in page
    assert "Kecamatan Kembangan, Jakarta Barat" in page


def test_nik_preview_explains_a_bad_nik(joglo_client):
    page = joglo_client.post(
        reverse("participants:nik_info"), {"nik": "9973084508900001"}
    ).content.decode()

    assert "bukan kode provinsi" in page


def test_village_options_follow_the_chosen_kecamatan(client, places):
    client.force_login(staff_user(Role.ADMIN))
    kembangan = Village.objects.get(code="31.73.08.1005").district

    page = client.get(
        reverse("participants:village_options"), {"district": kembangan.pk}
    ).content.decode()

    assert page.count("<option") == 7
    assert "Joglo" in page
    assert "Kapuk" not in page


def test_the_confirm_box_shows_only_with_warnings(joglo_client):
    empty = joglo_client.get(reverse("participants:create")).content.decode()
    warned = post(joglo_client, birth_date="1991-01-01").content.decode()

    assert 'type="checkbox" name="confirm_warnings"' not in empty
    assert 'type="checkbox" name="confirm_warnings"' in warned
