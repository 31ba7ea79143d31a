"""Recording a stage asks the database what the clerk must hear, once; the database's
CheckConstraints still refuse missing evidence, in their own words."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import staff_user
from participants.models import Resident, StageCount, StageRecord
from participants.services import stage_record_create
from participants.tests.factories import ResidentFactory

# Session; user with staff profile; the clerk's kelurahan and the resident in them; BEGIN;
# the resident locked; the record and its history row; the stage sync (the earliest
# record, the resident's new date, the two counter UPSERTs: one round trip on
# PostgreSQL); COMMIT (inside a test's transaction SAVEPOINT and RELEASE instead of BEGIN
# and COMMIT). Was 43: the form and the service each validated the record, asking the
# database a SELECT per CheckConstraint, and the clerk's area was asked twice; then 14: the
# sync locked and read the resident again.
STAGE_QUERIES = 13


def stage_queries() -> int:
    return STAGE_QUERIES - (connection.vendor == "postgresql")


def test_a_stage_post_asks_no_constraint_of_the_database(
    client, places, django_capture_on_commit_callbacks
):
    clerk = staff_user(Role.KELURAHAN, "31.73.08.1005")
    client.force_login(clerk)
    resident = ResidentFactory(registered_on=date(2025, 1, 1))
    url = reverse("participants:stage_create", args=[resident.pk])
    post = {"stage": "pendampingan", "reached_on": "2025-02-01", "mentor": "Bu A"}
    # A first stage of the process (what is read once per process is read here).
    first = ResidentFactory(registered_on=date(2025, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("participants:stage_create", args=[first.pk]), post)

    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(url, post)

    assert response.status_code == 302
    statements = [query["sql"] for query in queries.captured_queries]
    assert not any("_check" in sql for sql in statements), statements
    assert len(statements) == stage_queries(), "\n".join(statements)
    resident.refresh_from_db()
    assert resident.mentored_on == date(2025, 2, 1)


@pytest.mark.parametrize(
    ("stage", "evidence", "message"),
    [
        ("perizinan", {"licence_type": "nib"}, "Perizinan perlu jenis dan nomor izin."),
        ("pemasaran", {}, "Pemasaran perlu nama acara atau kanal."),
    ],
)
def test_missing_evidence_is_refused_by_the_database_in_its_words(
    places, stage, evidence, message
):
    clerk = staff_user(Role.KELURAHAN, "31.73.08.1005")
    resident = ResidentFactory(registered_on=date(2025, 1, 1))

    with pytest.raises(ValidationError) as refused:
        stage_record_create(
            resident=resident,
            user=clerk,
            stage=stage,
            reached_on=date(2025, 2, 1),
            **evidence,
        )

    assert message in refused.value.messages
    assert not StageRecord.objects.exists()
    assert Resident.objects.get().licensed_on is None
    assert StageCount.objects.filter(stage=stage).count() == 0
