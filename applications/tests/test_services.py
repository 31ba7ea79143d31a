"""Handling an application: one transaction, the desk's own service, the counting rules."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import staff_user
from applications.models import Application
from applications.services import (
    application_accept,
    application_accept_existing,
    application_refuse,
    application_submit,
    applications_purge,
)
from jakpreneur.semesters import Semester
from participants.counting import stage_counts_differences
from participants.models import Channel, Resident, StageCount
from participants.tests.factories import ResidentFactory
from programs.models import Enrollment
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from wilayah.models import Village

from .factories import ApplicationFactory

pytestmark = pytest.mark.usefixtures("places")

DESK_FIELDS = {
    "birth_place": "Jakarta",
    "rt": "005",
    "rw": "002",
    "education": "sma",
}


def registration_fields(application, **overrides):
    fields = {
        "nik": application.nik,
        "full_name": application.full_name,
        "gender": application.gender,
        "birth_date": application.birth_date,
        "phone": application.phone,
        "email": application.email,
        "address": application.address,
        "village": application.village,
        "heard_via": application.heard_via,
        **DESK_FIELDS,
    }
    fields.update(overrides)
    return fields


def pendaftaran_counts() -> dict[str, int]:
    return {
        semester: count
        for semester, count in StageCount.objects.filter(
            stage="pendaftaran"
        ).values_list("semester", "count")
        if count
    }


@pytest.fixture
def clerk():
    return staff_user(Role.KELURAHAN, "31.73.08.1005")


def test_submit_stores_the_consent_and_a_fresh_code(places):
    application = application_submit(
        nik="3173085704920001",
        full_name="Rina Wati",
        gender="P",
        birth_date=ApplicationFactory.birth_date,
        phone="+6281298765432",
        email="",
        village=Village.objects.get(code="31.73.08.1005"),
        address="Jl. Joglo",
        interests=["makanan", "jasa"],
        program=None,
        heard_via="social_media",
    )

    stored = Application.objects.get()
    assert stored.code == application.code
    assert stored.status == Application.Status.RECEIVED
    assert stored.consent_version and stored.consent_at == stored.applied_at
    assert stored.interests == ["makanan", "jasa"]


def test_accepting_registers_online_on_the_day_of_acceptance(clerk, today):
    application = ApplicationFactory(applied_at=timezone.now() - timedelta(days=200))

    accepted = application_accept(
        application=application, user=clerk, **registration_fields(application)
    )

    resident = Resident.objects.get()
    application.refresh_from_db()
    assert accepted.resident == resident == application.resident
    assert resident.registered_on == today  # not the application date
    assert resident.channel == Channel.ONLINE
    assert resident.heard_via == "outreach"
    assert application.status == Application.Status.ACCEPTED
    assert application.handled_by == clerk and application.handled_at
    assert pendaftaran_counts() == {Semester.of(today).index: 1}
    assert stage_counts_differences() == []


def test_pending_and_rejected_applications_count_nowhere(clerk):
    ApplicationFactory()
    rejected = ApplicationFactory()
    application_refuse(
        application=rejected, user=clerk, status="rejected", reason="Bukan warga DKI"
    )

    assert pendaftaran_counts() == {}
    assert stage_counts_differences() == []


def test_a_refused_registration_leaves_the_application_untouched(clerk):
    application = ApplicationFactory()
    ResidentFactory(nik=application.nik)  # registered a moment ago by another desk

    with pytest.raises(ValidationError) as error:
        application_accept(
            application=application, user=clerk, **registration_fields(application)
        )

    assert "nik" in error.value.message_dict
    application.refresh_from_db()
    assert application.status == Application.Status.RECEIVED
    assert Resident.objects.count() == 1


def test_acceptance_and_registration_are_one_transaction(clerk, monkeypatch):
    application = ApplicationFactory()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("applications.services._propose", broken)
    with pytest.raises(RuntimeError):
        application_accept(
            application=application, user=clerk, **registration_fields(application)
        )

    assert not Resident.objects.exists()
    application.refresh_from_db()
    assert application.status == Application.Status.RECEIVED
    assert stage_counts_differences() == []


def test_an_application_is_handled_once(clerk):
    application = ApplicationFactory()
    application_accept(
        application=application, user=clerk, **registration_fields(application)
    )

    with pytest.raises(ValidationError, match="sudah ditangani"):
        application_refuse(
            application=application, user=clerk, status="rejected", reason="x"
        )


def test_an_application_for_a_training_proposes_the_resident(clerk, today):
    program = ProgramFactory(
        start_date=today + timedelta(days=10), end_date=today + timedelta(days=12)
    )
    application = ApplicationFactory(program=program)

    accepted = application_accept(
        application=application, user=clerk, **registration_fields(application)
    )

    assert accepted.proposed == program
    enrollment = Enrollment.objects.get()
    assert (enrollment.program, enrollment.resident) == (program, accepted.resident)
    assert enrollment.status == Enrollment.Status.ENROLLED


def test_a_full_training_does_not_stop_the_acceptance(clerk, today):
    program = ProgramFactory(
        capacity=1,
        start_date=today + timedelta(days=10),
        end_date=today + timedelta(days=12),
    )
    EnrollmentFactory(program=program, enrolled_on=today)  # the last seat
    application = ApplicationFactory(program=program)

    accepted = application_accept(
        application=application, user=clerk, **registration_fields(application)
    )

    assert accepted.proposed is None and "Kuota" in accepted.proposal_refused
    assert Resident.objects.count() == 2 and Enrollment.objects.count() == 1


def test_accepting_as_an_existing_resident_counts_nothing_new(clerk):
    resident = ResidentFactory(nik="3173085704920001")
    before = pendaftaran_counts()
    application = ApplicationFactory(nik=resident.nik)

    application_accept_existing(application=application, user=clerk)

    application.refresh_from_db()
    assert application.resident == resident
    assert pendaftaran_counts() == before
    assert Resident.objects.count() == 1


def test_a_resident_of_another_area_cannot_be_claimed(clerk):
    ResidentFactory(
        nik="3173085704920001", village=Village.objects.get(code="31.73.01.1005")
    )
    application = ApplicationFactory(nik="3173085704920001")

    with pytest.raises(ValidationError, match="tidak terdaftar di wilayah Anda"):
        application_accept_existing(application=application, user=clerk)


def test_refusing_needs_a_reason_and_keeps_it_for_the_applicant(clerk):
    application = ApplicationFactory()

    with pytest.raises(ValidationError):
        application_refuse(
            application=application, user=clerk, status="rejected", reason="  "
        )
    application_refuse(
        application=application,
        user=clerk,
        status="needs_visit",
        reason="Bawa KTP asli ke kantor kelurahan.",
    )

    application.refresh_from_db()
    assert application.status == "needs_visit"
    assert application.reason == "Bawa KTP asli ke kantor kelurahan."


def test_a_needs_visit_application_may_still_be_accepted(clerk):
    application = ApplicationFactory()
    application_refuse(
        application=application, user=clerk, status="needs_visit", reason="Datang"
    )

    application_accept(
        application=application, user=clerk, **registration_fields(application)
    )

    application.refresh_from_db()
    assert application.status == "accepted" and application.reason == ""


def test_every_decision_bumps_the_kota_of_the_dashboard(clerk, monkeypatch):
    bumped = []
    monkeypatch.setattr(
        "applications.services.report_inputs_changed",
        lambda *, city_ids=None: bumped.append(city_ids),
    )
    application = ApplicationFactory()

    application_refuse(
        application=application, user=clerk, status="rejected", reason="x"
    )

    assert bumped == [[application.village.district.city_id]]


def test_accepting_costs_a_bounded_number_of_queries(clerk):
    application = ApplicationFactory()

    with CaptureQueriesContext(connection) as queries:
        application_accept(
            application=application, user=clerk, **registration_fields(application)
        )

    assert len(queries) <= 25


def test_rejected_applications_are_purged_after_a_year(clerk):
    now = timezone.now()
    old = ApplicationFactory(
        status="rejected", reason="x", handled_at=now - timedelta(days=400)
    )
    recent = ApplicationFactory(
        status="rejected", reason="x", handled_at=now - timedelta(days=300)
    )
    waiting = ApplicationFactory(applied_at=now - timedelta(days=400))

    assert applications_purge(dry_run=True) == 1
    assert Application.objects.count() == 3
    out = io.StringIO()
    call_command("purge_applications", stdout=out)

    assert out.getvalue().strip() == "1 rejected applications deleted"
    assert set(Application.objects.all()) == {recent, waiting}
    assert not Application.objects.filter(pk=old.pk).exists()
