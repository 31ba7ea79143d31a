"""Upgrading a live database: the previous release's data, migrated forward, counts right.

A city that ran the previous release has residents, stage records and enrolments, and a
counter table that may be empty. After `migrate`, the first voids, moves and enrolments must
work (no StageCountMismatch, no recount needed) and every counter must equal a brute-force
count from the source rows.
"""

import logging
from collections import Counter
from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from participants.models import BreakdownCount, Resident, StageCount
from participants.services import resident_update, resident_void, stage_record_create
from programs.models import Enrollment, Program
from programs.services import enrollment_create, roster_update
from reports.tests.world import brute_force
from wilayah.models import Village

PREVIOUS_RELEASE = [
    ("participants", "0003_resident_stage_dates"),
    ("programs", "0002_programs_and_enrollments"),
    ("reports", "0001_targets_and_stage_counts"),
]
TODAY = date(2025, 11, 15)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor.loader.project_state(targets).apps if targets else None


def fill_previous_release(apps):
    """What the previous release wrote: rows and their stage dates, no counters."""
    Village = apps.get_model("wilayah", "Village")
    Agency = apps.get_model("programs", "Agency")
    Program = apps.get_model("programs", "Program")
    Resident = apps.get_model("participants", "Resident")
    StageRecord = apps.get_model("participants", "StageRecord")
    Enrollment = apps.get_model("programs", "Enrollment")
    joglo = Village.objects.get(code="31.73.08.1005")
    kapuk = Village.objects.get(code="31.73.01.1005")
    ppkukm = Agency.objects.get(city__code="31.73", short_name="PPKUKM")
    kpkp = Agency.objects.get(city__code="31.73", short_name="KPKP")
    programs = [
        Program.objects.create(
            code=f"JB-{agency.short_name}-2024-{n:03d}",
            title="Pelatihan",
            agency=agency,
            category=category,
            district=joglo.district,
            venue="Kantor",
            start_date=date(2024, 3, 1),
            end_date=date(2024, 3, 2),
            capacity=50,
            status="open",
        )
        for n, (agency, category) in enumerate(
            [(ppkukm, "makanan"), (kpkp, "minuman")], start=1
        )
    ]
    for n in range(24):
        born = date(1965 + n, 1 + n % 12, 1 + n % 28)
        registered = date(2023, 2, 1).replace(month=1 + n % 12)
        resident = Resident.objects.create(
            nik=f"3173084{n:02d}1{n % 10}0{n:04d}"[:16].ljust(16, "1"),
            full_name=f"Warga Lama {n}",
            name_key=f"warga lama {n}",
            gender="LP"[n % 2],
            birth_place="Jakarta",
            birth_date=born,
            phone="+6281234567890",
            address="Jl. Lama",
            rt="001",
            rw="001",
            village=(joglo, kapuk)[n % 3 == 0],
            education="sma",
            registered_on=registered,
        )
        if n % 2:
            day = date(2024, 1 + n % 6, 10)
            StageRecord.objects.create(
                resident=resident, stage="pendampingan", reached_on=day, mentor="Bu A"
            )
            resident.mentored_on = day
        if n % 3:
            first = Enrollment.objects.create(
                resident=resident,
                program=programs[n % 2],
                enrolled_on=date(2024, 3, 1),
                status="completed" if n % 4 else "cancelled",
            )
            if first.status == "completed":
                resident.trained_on = first.enrolled_on
        resident.save()


@pytest.mark.django_db(transaction=True)
def test_a_live_database_upgrades_and_counts_right(places, caplog):
    apps = migrate(PREVIOUS_RELEASE)
    try:
        fill_previous_release(apps)
    finally:
        migrate(None)

    with caplog.at_level(logging.WARNING, logger="participants.counting"):
        residents = list(Resident.objects.order_by("pk"))
        resident_void(resident=residents[0], user=None, reason="ganda")
        resident_update(
            resident=residents[1],
            user=None,
            village=Village.objects.get(code="31.73.01.1001"),
            today=TODAY,
        )
        stage_record_create(
            resident=residents[2],
            user=None,
            stage="pemasaran",
            reached_on=date(2025, 1, 5),
            channel="Bazar",
            today=TODAY,
        )
        program = Program.objects.order_by("pk").last()
        enrolled = enrollment_create(
            program=program,
            resident=residents[3],
            user=None,
            enrolled_on=date(2024, 3, 1),
            today=TODAY,
        )
        roster_update(
            program=program,
            statuses={enrolled.pk: Enrollment.Status.ATTENDED},
            user=None,
            today=TODAY,
        )
        trained = Enrollment.objects.filter(status="completed").first()
        roster_update(
            program=trained.program,
            statuses={trained.pk: Enrollment.Status.CANCELLED},
            user=None,
            today=TODAY,
        )
    assert "disagreed" not in caplog.text  # filled by the migration, not healed

    truth = brute_force()
    stored = Counter()
    for c in StageCount.objects.select_related("village__district"):
        stored[(c.village.district.code, c.village.name, c.stage, c.semester)] += (
            c.count
        )
    assert +stored == +truth.stages
    assert sum(truth.stages.values()) > 30
    by_dimension = Counter()
    for c in BreakdownCount.objects.select_related("village__district"):
        by_dimension[(c.village.district.code, c.stage, c.semester, c.dimension)] += (
            c.count
        )
    expected = Counter()
    for (district, stage, index, dimension, _label), n in truth.breakdowns.items():
        expected[(district, stage, index, dimension)] += n
    assert +by_dimension == +expected
    resident = Resident.objects.get(pk=residents[4].pk)
    assert resident.trained_agency is not None or resident.trained_on is None
