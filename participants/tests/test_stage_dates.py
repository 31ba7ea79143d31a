"""The stage dates kept on each resident follow every write service on their sources."""

from datetime import date

from participants.models import (
    DERIVED_FIELDS,
    DERIVED_STAGE_FIELDS,
    Resident,
)
from participants.services import resident_update, stage_record_delete
from participants.stages import resident_stages_rebuild
from participants.tests.factories import ResidentFactory, StageRecordFactory
from programs.models import Enrollment
from programs.services import roster_update
from programs.tests.factories import EnrollmentFactory

TODAY = date(2025, 11, 15)


def snapshot():
    return list(Resident.objects.order_by("pk").values_list("pk", *DERIVED_FIELDS))


def test_recording_and_undoing_stages_moves_the_dates(places):
    resident = ResidentFactory()
    late = StageRecordFactory(resident=resident, reached_on=date(2025, 6, 1))
    early = StageRecordFactory(resident=resident, reached_on=date(2025, 4, 1))
    resident.refresh_from_db()
    assert resident.mentored_on == date(2025, 4, 1)

    stage_record_delete(record=early, user=None)
    resident.refresh_from_db()
    assert resident.mentored_on == date(2025, 6, 1)

    stage_record_delete(record=late, user=None)
    resident.refresh_from_db()
    assert resident.mentored_on is None


def test_training_date_follows_attendance_and_cancellation(places):
    resident = ResidentFactory()
    enrollment = EnrollmentFactory(resident=resident, enrolled_on=date(2025, 4, 1))
    resident.refresh_from_db()
    assert resident.trained_on is None

    statuses = {enrollment.pk: Enrollment.Status.COMPLETED}
    roster_update(program=enrollment.program, statuses=statuses, user=None, today=TODAY)
    resident.refresh_from_db()
    assert resident.trained_on == date(2025, 4, 1)
    assert resident.trained_agency == enrollment.program.agency
    assert resident.trained_category == enrollment.program.category

    statuses = {enrollment.pk: Enrollment.Status.CANCELLED}
    roster_update(program=enrollment.program, statuses=statuses, user=None, today=TODAY)
    resident.refresh_from_db()
    assert resident.trained_on is None
    assert resident.trained_agency is None and resident.trained_category == ""


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
    Resident.objects.update(
        **dict.fromkeys(DERIVED_STAGE_FIELDS), trained_agency=None, trained_category=""
    )

    resident_stages_rebuild()

    assert snapshot() == kept


def test_rebuild_clears_stale_dates_rewrites_only_what_differs_and_keeps_to_scope(
    places,
):
    trained, untouched, bare = ResidentFactory.create_batch(3)
    StageRecordFactory(resident=trained, reached_on=date(2025, 4, 1))
    EnrollmentFactory(resident=trained, status=Enrollment.Status.ATTENDED)
    kept = snapshot()
    agency = Resident.objects.get(pk=trained.pk).trained_agency
    stale = {
        **dict.fromkeys(DERIVED_STAGE_FIELDS, date(2020, 1, 1)),
        "trained_agency": agency,
        "trained_category": "jasa",
    }
    Resident.objects.filter(pk__in=[untouched.pk, bare.pk]).update(**stale)
    Resident.objects.filter(pk=trained.pk).update(mentored_on=date(2020, 1, 1))

    changed = resident_stages_rebuild(
        resident_ids=Resident.objects.exclude(pk=untouched.pk).values("pk")
    )

    assert (
        changed == 2
    )  # `trained` and `bare`; a third, already right, is not rewritten
    after = {row[0]: row for row in snapshot()}
    assert after[trained.pk] == next(row for row in kept if row[0] == trained.pk)
    assert after[bare.pk] == next(row for row in kept if row[0] == bare.pk)
    untouched_now = Resident.objects.get(pk=untouched.pk)
    assert untouched_now.mentored_on == date(2020, 1, 1)  # outside the scope
    assert untouched_now.trained_category == "jasa"
    assert resident_stages_rebuild() == 1  # then `untouched`; then nothing is left
    assert resident_stages_rebuild() == 0
    assert snapshot() == kept


def test_saving_a_stale_copy_keeps_the_stage_dates(places):
    resident = ResidentFactory()
    stale = Resident.objects.get(pk=resident.pk)
    StageRecordFactory(resident=resident, reached_on=date(2025, 4, 1))

    resident_update(resident=stale, user=None, full_name="Nama Baru", today=TODAY)

    resident.refresh_from_db()
    assert resident.full_name == "Nama Baru"
    assert resident.name_key == "nama baru"
    assert resident.mentored_on == date(2025, 4, 1)


def test_rebuild_by_kelurahan_keeps_to_those_kelurahan(places):
    from wilayah.models import Village

    joglo, meruya = (
        Village.objects.get(code=code) for code in ("31.73.08.1005", "31.73.08.1001")
    )
    inside = ResidentFactory(village=joglo)
    outside = ResidentFactory(village=meruya)
    StageRecordFactory(resident=inside, reached_on=date(2025, 4, 1))
    StageRecordFactory(resident=outside, reached_on=date(2025, 4, 1))
    Resident.objects.update(mentored_on=date(2020, 1, 1))

    assert resident_stages_rebuild(village_ids=[joglo.pk]) == 1

    assert Resident.objects.get(pk=inside.pk).mentored_on == date(2025, 4, 1)
    assert Resident.objects.get(pk=outside.pk).mentored_on == date(2020, 1, 1)
    assert resident_stages_rebuild(village_ids=[]) == 0
