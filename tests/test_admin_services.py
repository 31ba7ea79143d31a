"""Admin writes go through the same services as the app: same checks, same counters."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import staff_user
from participants.counting import stage_counts_differences
from participants.models import AccessLog, Resident, StageCount, StageRecord
from participants.services import resident_update, stage_record_create
from participants.tests.factories import ResidentFactory
from programs.models import Enrollment
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from reports.selectors import progress_report
from reports.tests.factories import jakarta_barat_period
from wilayah.models import District, Village

TODAY = date(2025, 11, 15)


@pytest.fixture
def admin_client(client, places):
    client.force_login(staff_user(Role.ADMIN))
    return client


def post_admin(client, url, **fields):
    """POST an admin form as the browser would: its own fields, inline management forms."""
    page = client.get(url)
    data = {}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name, field in management.fields.items():
            value = management.initial.get(name, field.initial)
            data[f"{management.prefix}-{name}"] = "" if value is None else value
    data.update({k: v for k, v in fields.items() if v is not None})
    return client.post(url, data)


def resident_fields(**overrides):
    joglo = Village.objects.get(code="31.73.08.1005")
    fields = {
        "nik": "3173084508900001",
        "full_name": "Siti Admin",
        "gender": "P",
        "birth_place": "Jakarta",
        "birth_date": "1990-08-05",
        "phone": "+6281234567890",
        "address": "Jl. Joglo",
        "rt": "1",
        "rw": "2",
        "village": joglo.pk,
        "education": "sma",
        "registered_on": "2025-03-01",
    }
    fields.update(overrides)
    return fields


def counted(stage: str, code: str = "31.73.08") -> int:
    return sum(
        StageCount.objects.filter(
            village__district__code=code, stage=stage
        ).values_list("count", flat=True)
    )


def test_admin_registration_is_counted_and_checked_like_the_form(admin_client, today):
    url = reverse("admin:participants_resident_add")
    tomorrow = (today + timedelta(days=1)).isoformat()

    refused = post_admin(admin_client, url, **resident_fields(registered_on=tomorrow))

    assert refused.status_code == 200
    assert "tidak boleh di masa depan" in str(
        refused.context["adminform"].form.errors["registered_on"]
    )
    assert not Resident.objects.exists()

    saved = post_admin(admin_client, url, **resident_fields())

    assert saved.status_code == 302
    assert counted("pendaftaran") == 1


def test_admin_cannot_move_registration_after_a_stage(admin_client):
    resident = ResidentFactory(registered_on=date(2025, 3, 1))
    EnrollmentFactory(
        resident=resident, enrolled_on=date(2025, 4, 1), status="attended"
    )
    url = reverse("admin:participants_resident_change", args=[resident.pk])
    fields = resident_fields(nik=resident.nik, registered_on="2025-05-01")

    response = post_admin(admin_client, url, **fields)

    assert response.status_code == 200
    assert "tidak boleh setelah tahap Pelatihan" in str(
        response.context["adminform"].form.errors["registered_on"]
    )
    resident.refresh_from_db()
    assert resident.registered_on == date(2025, 3, 1)


def test_admin_stage_record_is_checked_and_moves_the_stage_date(admin_client):
    resident = ResidentFactory(registered_on=date(2025, 3, 1))
    url = reverse("admin:participants_stagerecord_add")
    fields = {"resident": resident.pk, "stage": "pendampingan", "mentor": "Bu A"}

    early = post_admin(admin_client, url, reached_on="2025-02-01", **fields)
    assert "sebelum tanggal pendaftaran" in str(
        early.context["adminform"].form.errors["reached_on"]
    )
    assert not StageRecord.objects.exists()

    assert (
        post_admin(admin_client, url, reached_on="2025-04-01", **fields).status_code
        == 302
    )
    resident.refresh_from_db()
    assert resident.mentored_on == date(2025, 4, 1)
    assert counted("pendampingan") == 1

    record = StageRecord.objects.get()
    admin_client.post(
        reverse("admin:participants_stagerecord_delete", args=[record.pk]),
        {"post": "yes"},
    )
    resident.refresh_from_db()
    assert resident.mentored_on is None and counted("pendampingan") == 0


def test_admin_enrolment_keeps_the_quota_and_attendance_moves_the_counters(
    admin_client,
):
    program = ProgramFactory(capacity=1, start_date=date(2025, 4, 10))
    first, second = ResidentFactory.create_batch(2, registered_on=date(2025, 3, 1))
    url = reverse("admin:programs_enrollment_add")

    ok = post_admin(
        admin_client,
        url,
        resident=first.pk,
        program=program.pk,
        enrolled_on="2025-04-01",
    )
    full = post_admin(
        admin_client,
        url,
        resident=second.pk,
        program=program.pk,
        enrolled_on="2025-04-01",
    )

    assert ok.status_code == 302
    assert "Kuota pelatihan tidak cukup" in str(full.context["adminform"].form.errors)
    assert Enrollment.objects.count() == 1

    enrollment = Enrollment.objects.get()
    change = reverse("admin:programs_enrollment_change", args=[enrollment.pk])
    assert post_admin(admin_client, change, status="attended").status_code == 302
    first.refresh_from_db()
    assert first.trained_on == date(2025, 4, 1)
    assert first.trained_agency == program.agency
    assert counted("pelatihan") == 1


def test_moving_a_kelurahan_to_another_kecamatan_moves_its_counts(admin_client):
    period = jakarta_barat_period()
    ResidentFactory(registered_on=date(2024, 3, 1))  # Joglo, Kembangan
    joglo = Village.objects.get(code="31.73.08.1005")
    cengkareng = District.objects.get(code="31.73.01")

    def cumulative(code):
        report = progress_report(period=period, today=TODAY)
        return next(a for a in report.districts if a.code == code).cumulative

    assert (cumulative("31.73.08"), cumulative("31.73.01")) == (1, 0)

    response = admin_client.post(
        reverse("admin:wilayah_village_change", args=[joglo.pk]),
        {"code": joglo.code, "name": joglo.name, "district": cengkareng.pk},
    )

    assert response.status_code == 302
    assert (cumulative("31.73.08"), cumulative("31.73.01")) == (0, 1)


def test_admin_anonymises_a_resident_and_the_counts_stay(admin_client):
    resident = ResidentFactory(
        full_name="Siti Hapus", registered_on=date(2024, 3, 1), address="Jl. Rahasia 9"
    )
    EnrollmentFactory(
        resident=resident, enrolled_on=date(2024, 4, 1), status="attended"
    )
    resident_update(resident=resident, user=None, phone="+6281111111111", today=TODAY)
    counted_before = (counted("pendaftaran"), counted("pelatihan"))
    nik = resident.nik
    url = reverse("admin:participants_resident_changelist")
    form = {"action": "anonymise", "_selected_action": [resident.pk]}

    asked = admin_client.post(url, form)
    done = admin_client.post(
        url, {**form, "apply": "1", "reason": "Surat warga 1/2025"}
    )

    assert "Dasar permintaan penghapusan" in asked.content.decode()
    assert done.status_code == 302
    resident.refresh_from_db()
    assert resident.anonymised_at is not None
    assert "Siti" not in resident.full_name and resident.nik != nik
    assert resident.address == "-" and resident.phone == "0"
    for old in resident.history.all():
        assert old.nik != nik and "Siti" not in old.full_name
        assert old.phone != "+6281111111111" and old.address == "-"
    assert (counted("pendaftaran"), counted("pelatihan")) == counted_before
    assert stage_counts_differences() == []
    log = AccessLog.objects.get(action="anonymise")
    assert log.reason == "Surat warga 1/2025" and log.resident == resident
    assert log.user.username == "admin" or log.user.is_superuser


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
)
def test_admin_saves_racing_stage_writes_keep_the_counters_exact(
    transactional_db, places
):
    """An admin moving residents while a clerk records their stages, 20 pairs at once:
    the admin save locks the resident like every service, so nothing is counted twice."""
    jakarta_barat_period()
    admin_user = staff_user(Role.ADMIN)
    residents = ResidentFactory.create_batch(20, registered_on=date(2025, 3, 1))
    kapuk = Village.objects.get(code="31.73.01.1005")
    barrier = threading.Barrier(2 * len(residents))
    failures = []

    def admin_moves(resident):
        client = Client()
        client.force_login(admin_user)
        url = reverse("admin:participants_resident_change", args=[resident.pk])
        try:
            barrier.wait(timeout=30)
            response = post_admin(
                client, url, **resident_fields(nik="", village=kapuk.pk)
            )
            if response.status_code != 302:
                failures.append(("admin", response.status_code))
        except Exception as error:  # noqa: BLE001 - reported to the main thread
            failures.append(("admin", repr(error)))
        finally:
            connections.close_all()

    def clerk_records(resident):
        try:
            barrier.wait(timeout=30)
            stage_record_create(
                resident=resident,
                user=None,
                stage="pendampingan",
                reached_on=date(2025, 4, 1),
                mentor="Bu A",
                today=TODAY,
            )
        except Exception as error:  # noqa: BLE001 - reported to the main thread
            failures.append(("clerk", repr(error)))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=work, args=(resident,))
        for resident in residents
        for work in (admin_moves, clerk_records)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert Resident.objects.filter(village=kapuk).count() == len(residents)
    assert counted("pendampingan", "31.73.01") == len(residents)
    assert counted("pendampingan", "31.73.08") == 0
    assert stage_counts_differences() == []
