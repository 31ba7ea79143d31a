"""Enrolling a resident by NIK asks the database what the Sudin clerk must hear, once:
a test pins the statements, as the registration's and the stage's are pinned."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import staff_user
from participants.models import AccessLog
from participants.tests.factories import ResidentFactory
from programs.models import Enrollment
from wilayah.models import Village

from .factories import ProgramFactory

# Session; user with staff profile; the managed training (with its Sudin and kota); the
# kelurahan of the Sudin's kota (its kota joined, the Sudin not read first); the resident
# by NIK; the lookup's log row (committed on its own); BEGIN; the training locked; whether
# the resident is in it already (no ORDER BY: the default order joined two tables); the
# seats taken; the enrolment and its history row; COMMIT (inside a test's transaction
# SAVEPOINT and RELEASE instead). Was 14: the Sudin was read to find its kota.
ENROLMENT_QUERIES = 13


def test_an_enrolment_by_nik_asks_each_thing_once(client, places):
    today = timezone.localdate()
    program = ProgramFactory(
        start_date=today - timedelta(days=1), end_date=today + timedelta(days=1)
    )
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))
    first, resident = ResidentFactory(), ResidentFactory()
    url = reverse("programs:enroll_nik", args=[program.pk])
    # A first enrolment of the process (what is read once per process is read here).
    client.post(url, {"nik": first.nik, "enrolled_on": today.isoformat()})

    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"nik": resident.nik, "enrolled_on": today})

    assert response.status_code == 302
    statements = [query["sql"] for query in queries.captured_queries]
    assert len(statements) == ENROLMENT_QUERIES, "\n".join(statements)
    assert not any(
        "programs_enrollment" in sql and "ORDER BY" in sql for sql in statements
    ), statements
    assert Enrollment.objects.filter(program=program, resident=resident).exists()
    assert AccessLog.objects.filter(
        resident=resident, action=AccessLog.Action.LOOKUP_NIK
    ).exists()


def test_a_sudin_finds_residents_of_its_own_kota_only(client, places):
    """The kota now comes from a join with the Sudin: a resident of another kota is
    not found, and nothing is enrolled."""
    today = timezone.localdate()
    program = ProgramFactory(
        start_date=today - timedelta(days=1), end_date=today + timedelta(days=1)
    )
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))
    elsewhere = ResidentFactory(
        village=Village.objects.filter(district__city__code="31.71").first()
    )

    response = client.post(
        reverse("programs:enroll_nik", args=[program.pk]),
        {"nik": elsewhere.nik, "enrolled_on": today.isoformat()},
    )

    assert response.status_code == 400
    assert "Tidak ada warga terdaftar dengan NIK itu di kota ini" in (
        response.content.decode()
    )
    assert not Enrollment.objects.exists()
