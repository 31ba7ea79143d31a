"""The counters stay exactly right under a random mix of writes, also concurrent ones.

After registrations, enrolments, attendance, cancellations, stage records and their undoing,
voids, moves and back-dated edits, the dashboard figures must equal a brute-force count
made straight from the source rows.
"""

import random
import threading
from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from jakpreneur.semesters import Semester
from participants.identity import nik_build
from participants.models import Resident, Stage, StageCount, StageRecord
from participants.services import (
    resident_register,
    resident_update,
    resident_void,
    stage_record_create,
    stage_record_delete,
)
from programs.models import Enrollment, Program
from programs.services import enrollment_create, roster_update
from programs.tests.factories import ProgramFactory
from reports.selectors import progress_report
from reports.tests.factories import jakarta_barat_period
from wilayah.models import Village

TODAY = date(2025, 11, 15)
VILLAGES = ["31.73.08.1005", "31.73.08.1001", "31.73.01.1005", "31.73.01.1001"]


def brute_force() -> Counter:
    """(kecamatan code, stage, semester index) -> residents, from the source rows only."""
    firsts: dict[tuple[int, str], date] = {}
    for record in StageRecord.objects.all():
        key = (record.resident_id, record.stage)
        firsts[key] = min(firsts.get(key, record.reached_on), record.reached_on)
    for enrollment in Enrollment.objects.filter(status__in=Enrollment.TRAINED):
        key = (enrollment.resident_id, Stage.PELATIHAN.value)
        firsts[key] = min(
            firsts.get(key, enrollment.enrolled_on), enrollment.enrolled_on
        )
    counts = Counter()
    for resident in Resident.objects.filter(is_void=False).select_related(
        "village__district"
    ):
        code = resident.village.district.code
        counts[
            (code, Stage.PENDAFTARAN.value, Semester.of(resident.registered_on).index)
        ] += 1
        for stage in Stage:
            if (resident.pk, stage.value) in firsts:
                counts[
                    (
                        code,
                        stage.value,
                        Semester.of(firsts[(resident.pk, stage.value)]).index,
                    )
                ] += 1
    return counts


def assert_dashboard_matches_brute_force(period):
    expected = brute_force()
    stored = Counter()
    for c in StageCount.objects.select_related("village__district"):
        stored[(c.village.district.code, c.stage, c.semester)] += c.count
    stored = +stored
    assert stored == expected
    report = progress_report(period=period, today=TODAY)
    indexes = {s.index for s in period.semester_list}
    for area in report.districts:
        for figures in area.semesters:
            assert (
                figures.new
                == expected[(area.code, period.stage, figures.semester.index)]
            )
        for stage in Stage:
            assert area.funnel[stage.value] == sum(
                n
                for (code, s, i), n in expected.items()
                if code == area.code and s == stage.value and i in indexes
            )


class Actor:
    """One clerk doing random things through the services."""

    def __init__(self, seed: int, serials):
        self.rng = random.Random(seed)
        self.serials = serials

    def day(self, after: date) -> date:
        return min(TODAY, after + timedelta(days=self.rng.randrange(0, 400)))

    def act(self) -> None:
        rng = self.rng
        residents = list(Resident.objects.values_list("pk", flat=True))
        choice = rng.random()
        try:
            if choice < 0.25 or not residents:
                self.register()
                return
            resident = Resident.objects.get(pk=rng.choice(residents))
            if choice < 0.40:
                program = rng.choice(list(Program.objects.all()))
                enrollment_create(
                    program=program,
                    resident=resident,
                    user=None,
                    enrolled_on=self.day(resident.registered_on),
                    today=TODAY,
                )
            elif choice < 0.60:
                enrollment = rng.choice(list(Enrollment.objects.all()) or [None])
                if enrollment:
                    status = rng.choice(
                        ["attended", "completed", "cancelled", "enrolled"]
                    )
                    roster_update(
                        program=enrollment.program,
                        statuses={enrollment.pk: status},
                        user=None,
                        today=TODAY,
                    )
            elif choice < 0.75:
                stage = rng.choice(["pendampingan", "pemasaran", "pelaporan_keuangan"])
                stage_record_create(
                    resident=resident,
                    user=None,
                    stage=stage,
                    reached_on=self.day(resident.registered_on),
                    channel="Bazar",
                    mentor="Bu A",
                    today=TODAY,
                )
            elif choice < 0.82:
                record = StageRecord.objects.filter(resident=resident).first()
                if record:
                    stage_record_delete(record=record, user=None)
            elif choice < 0.88:
                resident_update(
                    resident=resident,
                    user=None,
                    village=Village.objects.get(code=rng.choice(VILLAGES)),
                    today=TODAY,
                )
            elif choice < 0.94:
                earlier = resident.registered_on - timedelta(days=rng.randrange(0, 200))
                resident_update(
                    resident=resident,
                    user=None,
                    registered_on=max(earlier, date(2023, 1, 1)),
                    today=TODAY,
                )
            else:
                resident_void(resident=resident, user=None, reason="uji")
        except ValidationError:
            pass  # a refused write (quota, duplicates, dates) changes nothing, as it should

    def register(self) -> None:
        born = date(1980, 1, 1) + timedelta(days=self.rng.randrange(0, 9000))
        resident_register(
            registered_by=None,
            nik=nik_build(
                district_code="31.73.08",
                birth_date=born,
                gender="P",
                serial=next(self.serials),
            ),
            full_name=f"Warga {self.rng.randrange(10**6)}",
            gender="P",
            birth_place="Jakarta",
            birth_date=born,
            phone="+6281234567890",
            address="Jl. Uji",
            rt="001",
            rw="001",
            village=Village.objects.get(code=self.rng.choice(VILLAGES)),
            education="sma",
            registered_on=date(2023, 1, 1)
            + timedelta(days=self.rng.randrange(0, (TODAY - date(2023, 1, 1)).days)),
            today=TODAY,
        )


def serial_counter():
    lock = threading.Lock()
    state = {"n": 0}

    def gen():
        while True:
            with lock:
                state["n"] += 1
                yield state["n"]

    return gen()


def setup_world():
    period = jakarta_barat_period()
    for n in range(3):
        ProgramFactory(
            capacity=6,
            start_date=date(2024, 1, 10) + timedelta(days=90 * n),
            end_date=date(2024, 1, 12) + timedelta(days=90 * n),
        )
    return period


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
