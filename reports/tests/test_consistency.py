"""The counters stay exactly right under a random mix of writes, also concurrent ones.

After registrations, enrolments, attendance, cancellations, stage records and their undoing,
voids, moves and back-dated edits, the dashboard figures must equal a brute-force count
made straight from the source rows.
"""

import threading

import pytest
from django.db import connection, connections

from participants.models import Resident, Stage
from programs.models import Enrollment
from reports.selectors import progress_report
from reports.tests.world import (
    TODAY,
    Actor,
    brute_force,
    serial_counter,
    setup_world,
)


def assert_dashboard_matches_brute_force(period):
    truth = brute_force()
    report = progress_report(period=period, today=TODAY)
    indexes = {s.index for s in period.semester_list}
    for area in report.districts:
        for figures in area.semesters:
            assert figures.new == truth.new(
                district=area.code, stage=period.stage, index=figures.semester.index
            )
        for stage in Stage:
            assert area.funnel[stage.value] == sum(
                truth.new(district=area.code, stage=stage.value, index=i)
                for i in indexes
            )


def test_random_writes_keep_the_counters_exact(places):
    period = setup_world()
    actor = Actor(seed=7, serials=serial_counter())

    for _ in range(250):
        actor.act()

    assert Resident.objects.count() > 20
    assert Enrollment.objects.filter(status__in=Enrollment.TRAINED).exists()
    assert_dashboard_matches_brute_force(period)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
)
def test_concurrent_random_writes_keep_the_counters_exact(transactional_db, places):
    period = setup_world()
    serials = serial_counter()
    errors = []

    def clerk(seed):
        try:
            actor = Actor(seed=seed, serials=serials)
            for _ in range(60):
                actor.act()
        except Exception as error:  # noqa: BLE001 - reported to the main thread
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert_dashboard_matches_brute_force(period)
