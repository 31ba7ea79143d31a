"""Trainings: codes, validation, who may run them, enrolment, attendance and the Pelatihan stage."""

import io
import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from accounts.tests.factories import staff_user
from participants.models import Resident
from participants.selectors import resident_timeline, residents_reached_stage
from participants.tests.factories import ResidentFactory
from programs.models import Agency, Enrollment, Program
from programs.services import (
    enrollment_create,
    program_create,
    program_update,
    roster_update,
)
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from wilayah.models import District, Village

TODAY = date(2025, 6, 1)


def ppkukm():
    return Agency.objects.get(city__code="31.73", short_name="PPKUKM")


def new_program(**overrides):
    fields = {
        "title": "Kue Kering",
        "category": "makanan",
        "district": District.objects.get(code="31.73.08"),
        "venue": "Aula Kecamatan",
        "start_date": date(2025, 4, 10),
        "end_date": date(2025, 4, 12),
        "capacity": 2,
        "status": Program.Status.OPEN,
    }
    fields.update(overrides)
    return program_create(
        agency=overrides.pop("agency", ppkukm()),
        created_by=None,
        **{k: v for k, v in fields.items() if k != "agency"},
    )


def test_codes_count_per_agency_and_year(places):
    first = new_program()
    second = new_program()
    next_year = new_program(start_date=date(2026, 1, 5), end_date=date(2026, 1, 6))
    other = new_program(
        agency=Agency.objects.get(city__code="31.73", short_name="KPKP")
    )

    assert [first.code, second.code, next_year.code, other.code] == [
        "JB-PPKUKM-2025-001",
        "JB-PPKUKM-2025-002",
        "JB-PPKUKM-2026-001",
        "JB-KPKP-2025-001",
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end_date": date(2025, 4, 1)}, "end_date"),
        ({"capacity": 0}, "capacity"),
        ({"district": District.objects.none}, "district"),
    ],
)
def test_programme_validation(places, overrides, field):
    if field == "district":
        overrides = {
            "district": District.objects.get(code="31.71.01")
        }  # Gambir, Jakarta Pusat

    with pytest.raises(ValidationError) as error:
        new_program(**overrides)

    assert field in error.value.message_dict
    assert not Program.objects.exists()


def test_quota_cannot_drop_below_enrolments(places):
    program = new_program(capacity=5)
    for resident in ResidentFactory.create_batch(3):
        enrollment_create(
            program=program,
            resident=resident,
            user=None,
            enrolled_on=date(2025, 4, 1),
            today=TODAY,
        )

    with pytest.raises(
        ValidationError,
        match="tidak boleh kurang dari jumlah peserta yang sudah terdaftar \\(3\\)",
    ):
        program_update(program=program, user=None, capacity=2)

    program.refresh_from_db()
    assert program.capacity == 5


def test_cancelled_programme_cannot_be_edited(places):
    program = new_program()
    program_update(program=program, user=None, status=Program.Status.CANCELLED)

    with pytest.raises(ValidationError, match="sudah batal tidak dapat diubah"):
        program_update(program=program, user=None, title="Baru")


def test_enrolment_once_per_programme_even_in_the_database(places):
    program = ProgramFactory()
    resident = ResidentFactory()
    enrollment_create(
        program=program,
        resident=resident,
        user=None,
        enrolled_on=date(2025, 4, 1),
        today=TODAY,
    )

    with pytest.raises(ValidationError, match="sudah terdaftar di pelatihan ini"):
        enrollment_create(
            program=program,
            resident=resident,
            user=None,
            enrolled_on=date(2025, 4, 1),
            today=TODAY,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(
            program=program, resident=resident, enrolled_on=date(2025, 4, 1)
        )


def test_quota_is_enforced(places):
    program = ProgramFactory(capacity=1)
    enrollment_create(
        program=program,
        resident=ResidentFactory(),
        user=None,
        enrolled_on=date(2025, 4, 1),
        today=TODAY,
    )

    with pytest.raises(ValidationError, match="Kuota pelatihan tidak cukup"):
        enrollment_create(
            program=program,
            resident=ResidentFactory(),
            user=None,
            enrolled_on=date(2025, 4, 1),
            today=TODAY,
        )


@pytest.mark.parametrize(
    ("resident_kwargs", "enrolled_on", "message"),
    [
        (
            {"is_void": True, "void_reason": "ganda"},
            date(2025, 4, 1),
            "sudah dibatalkan",
        ),
        ({}, date(2025, 2, 1), "tanggal pelatihan tidak boleh sebelum itu"),
        ({}, date(2025, 7, 1), "masa depan"),
    ],
)
def test_enrolment_dates_and_voided_residents(
    places, resident_kwargs, enrolled_on, message
):
    with pytest.raises(ValidationError, match=message):
        enrollment_create(
            program=ProgramFactory(),
            resident=ResidentFactory(**resident_kwargs),
            user=None,
            enrolled_on=enrolled_on,
            today=TODAY,
        )


def test_closed_programme_takes_no_one(places):
    with pytest.raises(ValidationError, match="tidak menerima peserta baru"):
        enrollment_create(
            program=ProgramFactory(status=Program.Status.DONE),
            resident=ResidentFactory(),
            user=None,
            enrolled_on=date(2025, 4, 1),
            today=TODAY,
        )


def test_pelatihan_stage_moves_when_an_enrolment_is_cancelled(places):
    resident = ResidentFactory(registered_on=date(2025, 1, 5))
    first = EnrollmentFactory(
        resident=resident,
        enrolled_on=date(2025, 2, 1),
        status=Enrollment.Status.ATTENDED,
    )
    EnrollmentFactory(
        resident=resident,
        enrolled_on=date(2025, 3, 1),
        status=Enrollment.Status.COMPLETED,
    )
    EnrollmentFactory(
        resident=resident,
        enrolled_on=date(2025, 1, 20),
        status=Enrollment.Status.ENROLLED,
    )

    resident.refresh_from_db()
    assert resident.trained_on == date(2025, 2, 1)

    roster_update(
        program=first.program,
        statuses={first.pk: Enrollment.Status.CANCELLED},
        user=None,
        today=TODAY,
    )
    resident.refresh_from_db()
    assert resident.trained_on == date(2025, 3, 1)

    roster_update(
        program=Enrollment.objects.get(
            resident=resident, status=Enrollment.Status.COMPLETED
        ).program,
        statuses={
            e.pk: Enrollment.Status.CANCELLED
            for e in Enrollment.objects.filter(
                resident=resident, status=Enrollment.Status.COMPLETED
            )
        },
        user=None,
        today=TODAY,
    )
    resident.refresh_from_db()
    assert resident.trained_on is None
    timeline = {
        entry.stage: entry.reached_on for entry in resident_timeline(resident=resident)
    }
    assert timeline["pelatihan"] is None


def test_stage_filter_counts_only_attended_or_completed(places):
    trained = ResidentFactory()
    EnrollmentFactory(resident=trained, status=Enrollment.Status.COMPLETED)
    EnrollmentFactory(resident=ResidentFactory(), status=Enrollment.Status.ENROLLED)

    assert list(residents_reached_stage(Resident.objects.all(), "pelatihan")) == [
        trained
    ]


def test_roster_update_is_all_or_nothing(places):
    program = ProgramFactory(capacity=2)
    a = EnrollmentFactory(program=program)
    b = EnrollmentFactory(program=program, status=Enrollment.Status.CANCELLED)
    c = EnrollmentFactory(program=program)

    # Re-activating b would put three in two seats: nothing may change.
    with pytest.raises(ValidationError, match="Kuota pelatihan sudah penuh"):
        roster_update(
            program=program,
            statuses={a.pk: "completed", b.pk: "enrolled", c.pk: "attended"},
            user=None,
            today=TODAY,
        )

    assert [e.status for e in Enrollment.objects.order_by("pk")] == [
        "enrolled",
        "cancelled",
        "enrolled",
    ]


def test_attendance_waits_for_the_start_date(places):
    program = ProgramFactory(start_date=date(2025, 7, 1), end_date=date(2025, 7, 2))
    enrollment = EnrollmentFactory(program=program)

    with pytest.raises(ValidationError, match="setelah pelatihan dimulai"):
        roster_update(
            program=program,
            statuses={enrollment.pk: "attended"},
            user=None,
            today=TODAY,
        )


def test_cancelling_a_programme_cancels_its_enrolments(places):
    program = ProgramFactory()
    enrollment = EnrollmentFactory(program=program)

    program_update(program=program, user=None, status=Program.Status.CANCELLED)

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.CANCELLED


def test_programme_with_attendance_cannot_be_cancelled(places):
    program = ProgramFactory()
    EnrollmentFactory(program=program, status=Enrollment.Status.ATTENDED)

    with pytest.raises(ValidationError, match="tidak dapat dibatalkan"):
        program_update(program=program, user=None, status=Program.Status.CANCELLED)


# --- Who may see and run a programme -------------------------------------------


@pytest.fixture
def ppkukm_program(places, today):
    """A class running now: it takes enrolments today and its attendance can be taken."""
    return ProgramFactory(
        start_date=today - timedelta(days=1), end_date=today + timedelta(days=1)
    )


@pytest.mark.parametrize(
    ("role", "scope", "detail", "edit"),
    [
        (Role.SUDIN, "31.73:PPKUKM", 200, 200),
        (Role.SUDIN, "31.73:KPKP", 404, 404),
        (Role.SUDIN, "31.74:PPKUKM", 404, 404),
        (Role.KELURAHAN, "31.73.08.1005", 200, 403),
        (Role.KECAMATAN, "31.73.08", 200, 403),
        (Role.KELURAHAN, "31.75.01.1001", 404, 404),
        (Role.PIMPINAN, "31.73", 200, 403),
        (Role.PIMPINAN, "31.74", 404, 404),
        (Role.ADMIN, "", 200, 200),
    ],
)
def test_programme_access(client, ppkukm_program, role, scope, detail, edit):
    client.force_login(staff_user(role, scope))

    assert client.get(ppkukm_program.get_absolute_url()).status_code == detail
    assert (
        client.get(reverse("programs:edit", args=[ppkukm_program.pk])).status_code
        == edit
    )


@pytest.mark.parametrize(
    ("role", "scope"), [(Role.KELURAHAN, "31.73.08.1005"), (Role.PIMPINAN, "31.73")]
)
def test_only_sudin_and_admins_manage_programmes(client, ppkukm_program, role, scope):
    client.force_login(staff_user(role, scope))
    resident = ResidentFactory()

    assert client.get(reverse("programs:create")).status_code == 403
    response = client.post(
        reverse("programs:enroll_nik", args=[ppkukm_program.pk]),
        {"nik": resident.nik, "enrolled_on": "2025-04-01"},
    )
    assert response.status_code == 403
    assert not Enrollment.objects.exists()


def test_sudin_list_shows_only_its_own_programmes(client, places):
    ProgramFactory(title="Milik PPKUKM")
    ProgramFactory(
        title="Milik KPKP",
        agency=Agency.objects.get(city__code="31.73", short_name="KPKP"),
    )
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))

    page = client.get(reverse("programs:list")).content.decode()

    assert "Milik PPKUKM" in page and "Milik KPKP" not in page


def test_sudin_creates_a_programme_through_the_form(client, places):
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))
    kembangan = District.objects.get(code="31.73.08")
    data = {
        "title": "Batik Tulis",
        "category": "kerajinan",
        "district": kembangan.pk,
        "venue": "RPTRA Joglo",
        "start_date": "2025-05-01",
        "end_date": "2025-04-30",
        "capacity": "25",
        "status": "open",
    }

    refused = client.post(reverse("programs:create"), data)
    created = client.post(
        reverse("programs:create"), {**data, "end_date": "2025-05-03"}
    )

    assert (
        "Tanggal selesai tidak boleh sebelum tanggal mulai"
        in refused.context["form"].errors["end_date"][0]
    )
    program = Program.objects.get()
    assert created.url == program.get_absolute_url()
    assert program.code == "JB-PPKUKM-2025-001"
    assert program.agency.short_name == "PPKUKM"


def test_enrol_by_nik_finds_residents_of_the_kota_only(client, ppkukm_program, today):
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))
    barat = ResidentFactory(registered_on=date(2025, 1, 1))
    timur = ResidentFactory(
        village=District.objects.get(code="31.75.01").villages.first(),
        registered_on=date(2025, 1, 1),
    )
    url = reverse("programs:enroll_nik", args=[ppkukm_program.pk])

    ok = client.post(url, {"nik": barat.nik, "enrolled_on": today.isoformat()})
    refused = client.post(url, {"nik": timur.nik, "enrolled_on": today.isoformat()})

    assert ok.status_code == 302
    assert (
        "Tidak ada warga terdaftar dengan NIK itu"
        in refused.context["nik_form"].errors["nik"][0]
    )
    assert list(Enrollment.objects.values_list("resident", flat=True)) == [barat.pk]


def test_bulk_enrolment_from_a_kelurahan_checklist(client, ppkukm_program):
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))
    residents = ResidentFactory.create_batch(3, registered_on=date(2025, 1, 1))
    url = reverse("programs:enroll_village", args=[ppkukm_program.pk])
    village = residents[0].village.pk

    page = client.get(url, {"village": village}).content.decode()
    response = client.post(
        url, {"village": village, "residents": [r.pk for r in residents[:2]]}
    )

    assert all(r.full_name in page for r in residents)
    assert response.status_code == 302
    assert Enrollment.objects.count() == 2


def test_bulk_enrolment_over_quota_enrols_no_one(client, ppkukm_program):
    program = ppkukm_program
    program.capacity = 2
    program.save()
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))
    residents = ResidentFactory.create_batch(3, registered_on=date(2025, 1, 1))

    response = client.post(
        reverse("programs:enroll_village", args=[program.pk]),
        {"village": residents[0].village.pk, "residents": [r.pk for r in residents]},
    )

    assert response.status_code == 400
    assert "sisa 2 kursi untuk 3 warga" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_roster_form_marks_the_whole_class(client, ppkukm_program):
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))
    a, b = EnrollmentFactory.create_batch(2, program=ppkukm_program)

    response = client.post(
        reverse("programs:roster", args=[ppkukm_program.pk]),
        {f"status-{a.pk}": "completed", f"status-{b.pk}": "attended"},
    )

    assert response.status_code == 302
    assert sorted(Enrollment.objects.values_list("status", flat=True)) == [
        "attended",
        "completed",
    ]


def test_a_big_roster_is_marked_page_by_page(client, ppkukm_program):
    from programs.views import ROSTER_PER_PAGE

    ppkukm_program.capacity = 2 * ROSTER_PER_PAGE
    ppkukm_program.save()
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))
    EnrollmentFactory.create_batch(ROSTER_PER_PAGE + 1, program=ppkukm_program)
    detail = reverse("programs:detail", args=[ppkukm_program.pk])
    by_name = list(ppkukm_program.enrollments.order_by("resident__full_name", "id"))

    first = client.get(detail)
    second = client.get(detail, {"page": "2"})
    saved = client.post(
        reverse("programs:roster", args=[ppkukm_program.pk]) + "?page=2",
        {f"status-{by_name[-1].pk}": "attended"},
    )

    assert [e.pk for e in first.context["roster"].rows] == [
        e.pk for e in by_name[:ROSTER_PER_PAGE]
    ]
    assert f'href="{detail}?page=2"' in first.content.decode()
    assert [e.pk for e in second.context["roster"].rows] == [by_name[-1].pk]
    assert saved.status_code == 302
    assert saved["Location"] == f"{detail}?page=2"
    assert list(
        Enrollment.objects.filter(status="attended").values_list("pk", flat=True)
    ) == [by_name[-1].pk]


def test_a_nik_error_shows_one_roster_page_with_links_to_the_training(
    client, ppkukm_program, today
):
    from programs.views import ROSTER_PER_PAGE

    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))
    enrolled = EnrollmentFactory.create_batch(
        ROSTER_PER_PAGE + 1, program=ppkukm_program
    )

    response = client.post(
        reverse("programs:enroll_nik", args=[ppkukm_program.pk]),
        {"nik": enrolled[0].resident.nik, "enrolled_on": today.isoformat()},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert len(response.context["roster"].rows) == ROSTER_PER_PAGE
    detail = reverse("programs:detail", args=[ppkukm_program.pk])
    assert f'href="{detail}?page=2"' in page
    assert "daftar-nik/?page" not in page


def test_kelurahan_proposes_its_resident_for_an_open_programme(client, ppkukm_program):
    client.force_login(staff_user(Role.KELURAHAN, "31.73.08.1005"))
    resident = ResidentFactory(registered_on=date(2025, 1, 1))

    page = client.get(resident.get_absolute_url()).content.decode()
    client.post(
        reverse("programs:propose", args=[resident.pk]), {"program": ppkukm_program.pk}
    )

    assert ppkukm_program.code in page
    assert Enrollment.objects.get().resident == resident


def test_roster_xlsx_opens_with_its_rows(client, ppkukm_program):
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))
    enrollments = EnrollmentFactory.create_batch(3, program=ppkukm_program)

    response = client.get(reverse("programs:roster_xlsx", args=[ppkukm_program.pk]))

    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][0] == ppkukm_program.code
    assert rows[1][:3] == ("No.", "Nama", "NIK")
    assert sorted(row[1] for row in rows[2:]) == sorted(
        e.resident.full_name for e in enrollments
    )
    assert all("••••••" in row[2] for row in rows[2:])


def test_attendance_sheet_has_a_signature_column(client, ppkukm_program):
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))
    enrollment = EnrollmentFactory(program=ppkukm_program)

    page = client.get(
        reverse("programs:attendance_sheet", args=[ppkukm_program.pk])
    ).content.decode()

    assert "Tanda tangan" in page and enrollment.resident.full_name in page


def test_resident_page_shows_trainings_and_proposal_only_to_its_keepers(
    client, ppkukm_program
):
    resident = ResidentFactory(registered_on=date(2025, 1, 1))
    EnrollmentFactory(resident=resident, program=ProgramFactory(title="Kelas Lama"))

    client.force_login(staff_user(Role.KELURAHAN, "31.73.08.1005"))
    keeper = client.get(resident.get_absolute_url()).content.decode()
    client.force_login(staff_user(Role.PIMPINAN, "31.73"))
    reader = client.get(resident.get_absolute_url()).content.decode()

    assert "Kelas Lama" in keeper and "Kelas Lama" in reader
    assert "Usulkan ke pelatihan" in keeper
    assert "Usulkan ke pelatihan" not in reader


def test_enrolment_date_must_belong_to_the_training(places):
    program = ProgramFactory(start_date=date(2025, 4, 10), end_date=date(2025, 4, 12))
    resident = ResidentFactory(registered_on=date(2023, 1, 1))

    for day in (date(2023, 3, 1), date(2025, 4, 13)):
        with pytest.raises(ValidationError) as error:
            enrollment_create(
                program=program,
                resident=resident,
                user=None,
                enrolled_on=day,
                today=TODAY,
            )
        assert "Tanggal daftar pelatihan harus antara 10/01/2025 dan 12/04/2025" in str(
            error.value.message_dict["enrolled_on"]
        )
    assert not Enrollment.objects.exists()

    enrollment_create(
        program=program,
        resident=resident,
        user=None,
        enrolled_on=date(2025, 1, 10),
        today=TODAY,
    )
    assert Enrollment.objects.count() == 1


def test_a_resident_of_another_kota_cannot_be_enrolled(places):
    program = ProgramFactory(start_date=date(2025, 4, 10), end_date=date(2025, 4, 12))
    timur = ResidentFactory(
        village=Village.objects.get(code="31.75.01.1001"),
        registered_on=date(2025, 1, 1),
    )

    with pytest.raises(ValidationError) as error:
        enrollment_create(
            program=program,
            resident=timur,
            user=None,
            enrolled_on=date(2025, 4, 1),
            today=TODAY,
        )

    assert "berdomisili di kota lain" in str(error.value.message_dict["resident"])
    assert not Enrollment.objects.exists()


def test_kelurahan_checklist_starts_at_the_trainings_kecamatan(client, places, today):
    program = ProgramFactory(
        district=District.objects.get(code="31.73.08"),
        start_date=today,
        end_date=today + timedelta(days=2),
    )
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))

    page = client.get(reverse("programs:enroll_village", args=[program.pk]))

    html = page.content.decode()
    first_kembangan = next(
        v for v in page.context["villages"] if v.district.code == "31.73.08"
    )
    assert f'<option value="{first_kembangan.pk}" selected>' in html
    assert len(re.findall(r'<option value="\d+" selected>', html)) == 1


def test_training_form_leaves_validation_to_our_messages(client, places):
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))

    page = client.get(reverse("programs:create")).content.decode()

    assert re.search(r"<form[^>]*novalidate", page)
