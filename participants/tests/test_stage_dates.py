"""The stage dates kept on each resident follow every write to their sources."""

from datetime import date

from participants.models import DERIVED_STAGE_FIELDS, Resident
from participants.stages import resident_stages_rebuild
from participants.tests.factories import ResidentFactory, StageRecordFactory
from programs.models import Enrollment
from programs.tests.factories import EnrollmentFactory


def snapshot():
    return list(
        Resident.objects.order_by("pk").values_list("pk", *DERIVED_STAGE_FIELDS)
    )


def test_recording_and_undoing_stages_moves_the_dates(places):
    resident = ResidentFactory()
    late = StageRecordFactory(resident=resident, reached_on=date(2025, 6, 1))
    early = StageRecordFactory(resident=resident, reached_on=date(2025, 4, 1))
    resident.refresh_from_db()
    assert resident.mentored_on == date(2025, 4, 1)

    early.delete()
    resident.refresh_from_db()
    assert resident.mentored_on == date(2025, 6, 1)

    late.delete()
    resident.refresh_from_db()
    assert resident.mentored_on is None


def test_training_date_follows_attendance_and_cancellation(places):
    resident = ResidentFactory()
    enrollment = EnrollmentFactory(resident=resident, enrolled_on=date(2025, 4, 1))
    resident.refresh_from_db()
    assert resident.trained_on is None

    enrollment.status = Enrollment.Status.COMPLETED
    enrollment.save()
    resident.refresh_from_db()
    assert resident.trained_on == date(2025, 4, 1)

    enrollment.status = Enrollment.Status.CANCELLED
    enrollment.save()
    resident.refresh_from_db()
    assert resident.trained_on is None


def test_rebuild_agrees_with_what_writes_kept(places):
    for resident in ResidentFactory.create_batch(3):
        StageRecordFactory(
            resident=resident,
            stage="perizinan",
            licence_type="nib",
            licence_number="1",
            mentor="",
        )
        EnrollmentFactory(resident=resident, status=Enrollment.Status.ATTENDED)
    kept = snapshot()
    Resident.objects.update(**dict.fromkeys(DERIVED_STAGE_FIELDS))

    resident_stages_rebuild()

    assert snapshot() == kept
