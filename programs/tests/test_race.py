"""Two clerks race for the last seat of a training: one seat, one message."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from participants.tests.factories import ResidentFactory
from programs.models import Enrollment
from programs.services import enrollment_create
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)


def race(program, residents) -> list[str]:
    barrier = threading.Barrier(len(residents))
    outcomes: list[str] = []

    def enrol(resident) -> None:
        try:
            barrier.wait(timeout=10)
            enrollment_create(
                program=program,
                resident=resident,
                user=None,
                enrolled_on=date(2025, 4, 1),
                today=date(2025, 6, 1),
            )
            outcomes.append("seat")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enrol, args=(r,)) for r in residents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_clerks_racing_for_the_last_seat_get_one_seat(transactional_db, places):
    program = ProgramFactory(capacity=1)
    residents = ResidentFactory.create_batch(2, registered_on=date(2025, 1, 1))

    outcomes = race(program, residents)

    assert Enrollment.objects.filter(program=program).count() == 1
    assert outcomes.count("seat") == 1
    assert any("Kuota pelatihan tidak cukup" in outcome for outcome in outcomes)


def test_same_resident_enrolled_twice_at_once_is_one_enrolment(
    transactional_db, places
):
    program = ProgramFactory(capacity=10)
    resident = ResidentFactory(registered_on=date(2025, 1, 1))

    outcomes = race(program, [resident, resident])

    assert Enrollment.objects.filter(program=program, resident=resident).count() == 1
    assert outcomes.count("seat") == 1
    assert any("sudah terdaftar di pelatihan ini" in outcome for outcome in outcomes)
