"""The public pages (anonymous) and the kelurahan's queue, as their users meet them."""

import re
import time
from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import staff_user
from applications.models import Application
from applications.services import application_refuse
from participants.models import Channel, Resident
from participants.tests.factories import ResidentFactory
from wilayah.models import Village

from .factories import ApplicationFactory

pytestmark = pytest.mark.usefixtures("places")

NIK = "3173085704920001"  # Kembangan, a woman born 17 April 1992
APPLY = reverse("applications:apply")
STATUS = reverse("applications:status")
QUEUE = reverse("applications:queue")


def apply_data(**overrides):
    data = {
        "nik": "3173 0857 0492 0001",
        "full_name": "Rina  Wati",
        "gender": "P",
        "birth_date": "1992-04-17",
        "phone": "0812-9876-5432",
        "email": "",
        "village": str(Village.objects.get(code="31.73.08.1005").pk),
        "address": "Jl. Joglo Baru No. 7",
        "interests": ["makanan", "jasa"],
        "program": "",
        "heard_via": "social_media",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def shown_code(client) -> str:
    page = client.get(reverse("applications:sent")).content.decode()
    return re.search(r'id="application-code">([A-Z0-9-]+)<', page).group(1)


def test_anyone_may_apply_and_gets_a_code(client):
    response = client.post(APPLY, apply_data())

    assert response.status_code == 302
    assert response.url == reverse("applications:sent")
    application = Application.objects.get()
    assert (application.nik, application.full_name) == (NIK, "Rina Wati")
    assert application.phone == "+6281298765432"
    assert application.interests == ["makanan", "jasa"]
    assert shown_code(client).replace("-", "") == application.code


def test_the_apply_page_preselects_the_kecamatan_of_the_link(client):
    response = client.get(APPLY, {"kecamatan": "31.73.08"})

    villages = response.context["form"].fields["village"].choices[1:]
    assert len(villages) == 1 and "Kembangan" in villages[0][0]
    assert "Kecamatan Kembangan" in response.content.decode()


def test_an_unknown_kecamatan_offers_every_kelurahan(client):
    response = client.get(APPLY, {"kecamatan": "nowhere"})

    assert response.status_code == 200
    assert len(response.context["form"].fields["village"].choices) > 40


def test_the_desk_form_rules_apply_to_the_nik_name_phone_and_birth_date(client):
    response = client.post(
        APPLY,
        apply_data(
            nik="3173080000000000",
            full_name="!!!",
            phone="12",
            birth_date="2999-01-01",
        ),
    )

    errors = response.context["form"].errors
    assert set(errors) >= {"nik", "full_name", "phone", "birth_date"}
    assert not Application.objects.exists()


def test_consent_is_required(client):
    response = client.post(APPLY, apply_data(consent=""))

    assert "menyetujuinya" in str(response.context["form"].errors["consent"])
    assert not Application.objects.exists()


def test_the_page_carries_the_privacy_notice_and_a_hidden_honeypot(client):
    page = client.get(APPLY).content.decode()

    assert "Pelindungan Data Pribadi" in page
    assert "Berapa lama disimpan" in page
    honeypot = re.search(
        r'<div class="visually-hidden" aria-hidden="true">.*?</div>', page, re.S
    )
    assert 'name="website"' in honeypot.group(0)
    assert 'tabindex="-1"' in honeypot.group(0)


def test_a_filled_honeypot_looks_like_success_and_stores_nothing(client):
    response = client.post(APPLY, apply_data(website="http://spam.example"))

    assert response.status_code == 302
    assert response.url == reverse("applications:sent")
    assert len(shown_code(client)) == 9
    assert not Application.objects.exists()


def test_a_registered_nik_gets_the_same_confirmation(client):
    ResidentFactory(nik=NIK)
    ApplicationFactory(nik=NIK)  # and one pending

    response = client.post(APPLY, apply_data())

    assert response.status_code == 302
    assert response.url == reverse("applications:sent")
    assert Application.objects.filter(nik=NIK).count() == 2
    page = client.get(reverse("applications:sent")).content.decode()
    assert "terdaftar" not in page.lower().replace("sudah kami terima", "")


@override_settings(APPLY_LIMIT_PER_ADDRESS_HOUR=2)
def test_too_many_applications_from_one_address_are_refused_clearly(client):
    for serial in (1, 2):
        client.post(APPLY, apply_data(nik=f"317308570492000{serial}"))

    response = client.post(APPLY, apply_data(nik="3173085704920003"))

    assert response.status_code == 429
    assert "Terlalu banyak pengajuan dari jaringan ini" in response.content.decode()
    assert Application.objects.count() == 2


@override_settings(APPLY_LIMIT_PER_NIK_DAY=1, APPLY_LIMIT_PER_ADDRESS_HOUR=100)
def test_too_many_applications_with_one_nik_are_refused_clearly(client):
    client.post(APPLY, apply_data())

    response = client.post(APPLY, apply_data(), REMOTE_ADDR="10.0.0.9")

    assert response.status_code == 429
    assert "NIK ini sudah dipakai untuk beberapa pengajuan" in str(
        response.context["form"].errors["nik"]
    )
    assert Application.objects.count() == 1


def test_the_status_page_answers_with_code_and_birth_date(client):
    application = ApplicationFactory(
        status="rejected",
        reason="Alamat di luar DKI Jakarta.",
        handled_at=timezone.now(),
    )
    code = application.code_display.lower()

    response = client.post(STATUS, {"code": code, "birth_date": "1992-04-17"})

    page = response.content.decode()
    assert "Ditolak" in page and "Alamat di luar DKI Jakarta." in page
    assert application.full_name not in page and application.nik not in page


def test_a_wrong_birth_date_says_nothing_about_the_code(client):
    application = ApplicationFactory()

    wrong = client.post(
        STATUS, {"code": application.code, "birth_date": "1992-04-18"}
    ).content.decode()
    unknown = client.post(
        STATUS, {"code": "AAAA-AAAA", "birth_date": "1992-04-17"}
    ).content.decode()

    message = "Tidak ada pengajuan dengan kode dan tanggal lahir itu."
    assert message in wrong and message in unknown
    assert "Diajukan pada" not in wrong


@override_settings(STATUS_LIMIT_PER_ADDRESS_HOUR=3)
def test_the_status_page_is_limited_per_address(client):
    for _ in range(3):
        client.post(STATUS, {"code": "AAAA-AAAA", "birth_date": "1992-04-17"})

    response = client.post(STATUS, {"code": "AAAA-AAAA", "birth_date": "1992-04-17"})

    assert response.status_code == 429
    assert "Terlalu banyak pemeriksaan" in response.content.decode()


def test_the_confirmation_without_an_application_goes_to_the_form(client):
    response = client.get(reverse("applications:sent"))

    assert response.status_code == 302 and response.url == APPLY


def test_the_code_is_not_shown_to_the_next_person_on_the_device(client, monkeypatch):
    client.post(APPLY, apply_data())
    assert client.get(reverse("applications:sent")).status_code == 200
    later = time.time() + 16 * 60

    monkeypatch.setattr("applications.views.time.time", lambda: later)
    response = client.get(reverse("applications:sent"))

    assert response.status_code == 302 and response.url == APPLY


# --- The queue ------------------------------------------------------------------------------


@pytest.fixture
def joglo(client):
    client.force_login(staff_user(Role.KELURAHAN, "31.73.08.1005"))
    return client


def test_the_queue_lists_its_kelurahan_only_with_masked_niks(joglo):
    mine = ApplicationFactory(nik=NIK)
    other = ApplicationFactory(village=Village.objects.get(code="31.73.01.1005"))

    page = joglo.get(QUEUE).content.decode()

    assert mine.full_name in page and other.full_name not in page
    assert NIK not in page and "317308••••••••••" in page


@pytest.mark.parametrize("role,scope", [(Role.SUDIN, ""), (Role.PIMPINAN, "31.73")])
def test_other_roles_have_no_queue(client, role, scope):
    client.force_login(staff_user(role, scope))

    assert client.get(QUEUE).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(QUEUE)

    assert response.status_code == 302 and "login" in response.url


def test_a_kecamatan_desk_handles_every_kelurahan_of_its_kecamatan(client):
    client.force_login(staff_user(Role.KECAMATAN, "31.73.08"))
    kembangan = ApplicationFactory(village=Village.objects.get(code="31.73.08.1001"))
    cengkareng = ApplicationFactory(village=Village.objects.get(code="31.73.01.1005"))

    assert client.get(kembangan.get_absolute_url()).status_code == 200
    assert client.get(cengkareng.get_absolute_url()).status_code == 404


def test_the_detail_shows_the_desk_forms_warnings(joglo):
    application = ApplicationFactory(nik=NIK, birth_date=date(1992, 4, 18), gender="L")
    ResidentFactory(
        nik="3173080101800001",
        full_name=application.full_name,
        birth_date=application.birth_date,
    )

    page = joglo.get(application.get_absolute_url()).content.decode()

    assert "Tanggal lahir di NIK 17/04/1992" in page
    assert "jenis kelamin Perempuan" in page
    assert "Mungkin ganda" in page
    assert application.applied_at.strftime("%Y") in page


def test_a_nik_registered_elsewhere_is_said_without_where(joglo):
    ResidentFactory(
        nik=NIK,
        full_name="Sekar Rahasia",
        village=Village.objects.get(code="31.73.01.1005"),
    )
    application = ApplicationFactory(nik=NIK)

    page = joglo.get(application.get_absolute_url()).content.decode()

    assert "sudah terdaftar di Jakpreneur di wilayah lain" in page
    assert "Sekar Rahasia" not in page and "Kapuk" not in page


def test_accept_registers_through_the_desk_form(joglo, today):
    application = ApplicationFactory(
        nik=NIK, applied_at=timezone.now() - timedelta(days=20)
    )
    form = joglo.get(reverse("applications:accept", args=[application.pk]))
    assert NIK not in form.content.decode()  # only masked
    assert form.context["form"].initial["full_name"] == application.full_name

    response = joglo.post(
        reverse("applications:accept", args=[application.pk]),
        {
            "nik": "9999999999999999",  # a disabled field: what the browser sends is ignored
            "full_name": application.full_name,
            "gender": "P",
            "birth_place": "Jakarta",
            "birth_date": "1992-04-17",
            "phone": "0812-9876-5432",
            "address": application.address,
            "rt": "5",
            "rw": "2",
            "education": "sma",
            "registered_on": "2020-01-01",
            "heard_via": "outreach",
        },
    )

    resident = Resident.objects.get()
    assert response.status_code == 302 and response.url == resident.get_absolute_url()
    assert resident.nik == NIK and resident.registered_on == today
    assert resident.channel == Channel.ONLINE
    application.refresh_from_db()
    assert application.status == "accepted" and application.resident == resident
    resident_page = joglo.get(resident.get_absolute_url()).content.decode()
    assert application.code_display in resident_page


def test_refuse_needs_a_reason(joglo):
    application = ApplicationFactory()

    response = joglo.post(
        application.get_absolute_url(),
        {"action": "refuse", "status": "rejected", "reason": ""},
    )

    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == "received"


def test_accept_as_the_existing_resident(joglo):
    resident = ResidentFactory(nik=NIK)
    application = ApplicationFactory(nik=NIK)

    response = joglo.post(application.get_absolute_url(), {"action": "accept_existing"})

    assert response.status_code == 302 and response.url == resident.get_absolute_url()
    application.refresh_from_db()
    assert application.resident == resident


def test_home_pages_count_the_queue_and_the_overdue(client):
    ApplicationFactory()
    ApplicationFactory(applied_at=timezone.now() - timedelta(days=15))
    client.force_login(staff_user(Role.KECAMATAN, "31.73.08"))

    page = client.get(reverse("home:kecamatan")).content.decode()

    assert "2 pengajuan menunggu" in page and "1 lewat 14 hari" in page


def test_the_dashboard_shows_overdue_kecamatan_and_follows_a_decision(
    client, current_period, django_capture_on_commit_callbacks
):
    late = ApplicationFactory(applied_at=timezone.now() - timedelta(days=15))
    ApplicationFactory(applied_at=timezone.now() - timedelta(days=3))
    client.force_login(staff_user(Role.PIMPINAN, "31.73"))
    dashboard = reverse("reports:dashboard")

    page = client.get(dashboard).content.decode()
    assert "Kecamatan Kembangan: 1 pengajuan" in page
    cached = client.get(dashboard)  # the figures now come from the cache
    assert "report" not in cached.context
    assert "Kecamatan Kembangan: 1 pengajuan" in cached.content.decode()

    clerk = staff_user(Role.KELURAHAN, "31.73.08.1005")
    with django_capture_on_commit_callbacks(execute=True):
        application_refuse(
            application=late, user=clerk, status="needs_visit", reason="Datang"
        )
    fresh = client.get(dashboard)

    assert "report" in fresh.context  # the kota's version moved: computed again
    assert 'id="overdue-applications"' not in fresh.content.decode()
