"""A small Jakarta Barat changed at random through the services, and a brute-force count.

`brute_force()` reads only the source rows (residents, stage records, enrolments,
programmes) and applies DOMAIN.md's counting rules in the plainest Python, independent of
participants.counting, so that every figure the app shows can be checked against it.
"""

import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError

from participants.identity import nik_build
from participants.models import HeardVia, Resident, Stage, StageRecord
from participants.services import (
    resident_register,
    resident_update,
    resident_void,
    stage_record_create,
    stage_record_delete,
)
from programs.models import Agency, Enrollment, Program
from programs.services import enrollment_create, roster_update
from programs.tests.factories import ProgramFactory
from reports.tests.factories import jakarta_barat_period
from wilayah.models import Village

TODAY = date(2025, 11, 15)
VILLAGES = ["31.73.08.1005", "31.73.08.1001", "31.73.01.1005", "31.73.01.1001"]
NOT_TRAINED = "Belum ikut pelatihan"
GENDERS = {"L": "Laki-laki", "P": "Perempuan"}
CATEGORIES = {"makanan": "Makanan", "minuman": "Minuman", "jasa": "Jasa"}
NOT_ASKED = "Tidak ditanyakan (data lama)"


def semester_index(day: date) -> int:
    return day.year * 2 + (1 if day.month > 6 else 0)


def age_label(born: date, day: date) -> str:
    age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    if age < 25:
        return "< 25"
    if age >= 55:
        return "≥ 55"
    low = 25 + (age - 25) // 10 * 10
    return f"{low}–{low + 9}"


@dataclass
class Truth:
    """Counts from the source rows. Keys use codes and labels as the pages show them."""

    # (kecamatan code, kelurahan name, stage, semester index) -> residents
    stages: Counter = field(default_factory=Counter)
    # (kecamatan code, stage, semester index, dimension, label) -> residents
    breakdowns: Counter = field(default_factory=Counter)

    def new(self, *, district: str, stage: str, index: int) -> int:
        return sum(
            n
            for (d, _v, s, i), n in self.stages.items()
            if d == district and s == stage and i == index
        )

    def villages(self, *, district: str, stage: str, indexes) -> Counter:
        result = Counter()
        for (d, village, s, i), n in self.stages.items():
            if d == district and s == stage and i in indexes:
                result[village] += n
        return +result

    def split(self, *, districts, stage: str, indexes) -> dict[str, Counter]:
        result: dict[str, Counter] = {}
        for (d, s, i, dimension, label), n in self.breakdowns.items():
            if d in districts and s == stage and i in indexes:
                result.setdefault(dimension, Counter())[label] += n
        return result


def brute_force() -> Truth:
    firsts: dict[tuple[int, str], date] = {}
    for record in StageRecord.objects.all():
        key = (record.resident_id, record.stage)
        firsts[key] = min(firsts.get(key, record.reached_on), record.reached_on)
    trained: dict[int, Enrollment] = {}
    for enrollment in Enrollment.objects.filter(
        status__in=["attended", "completed"]
    ).select_related("program__agency"):
        best = trained.get(enrollment.resident_id)
        if best is None or (enrollment.enrolled_on, enrollment.pk) < (
            best.enrolled_on,
            best.pk,
        ):
            trained[enrollment.resident_id] = enrollment
    for resident_id, enrollment in trained.items():
        firsts[(resident_id, Stage.PELATIHAN.value)] = enrollment.enrolled_on
    truth = Truth()
    for resident in Resident.objects.filter(is_void=False).select_related(
        "village__district"
    ):
        firsts[(resident.pk, Stage.PENDAFTARAN.value)] = resident.registered_on
        first_training = trained.get(resident.pk)
        labels = {
            "gender": GENDERS[resident.gender],
            "agency": first_training.program.agency.short_name
            if first_training
            else NOT_TRAINED,
            "category": CATEGORIES[first_training.program.category]
            if first_training
            else NOT_TRAINED,
            "heard": str(HeardVia(resident.heard_via).label)
            if resident.heard_via
            else NOT_ASKED,
        }
        district = resident.village.district.code
        for stage in Stage:
            day = firsts.get((resident.pk, stage.value))
            if day is None:
                continue
            index = semester_index(day)
            truth.stages[(district, resident.village.name, stage.value, index)] += 1
            for dimension, label in {
                **labels,
                "age": age_label(resident.birth_date, day),
            }.items():
                truth.breakdowns[(district, stage.value, index, dimension, label)] += 1
    return truth


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
                    channel="Bazar" if stage == "pemasaran" else "",
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
        gender = self.rng.choice("LP")
        born = date(1960, 1, 1) + timedelta(days=self.rng.randrange(0, 16000))
        resident_register(
            registered_by=None,
            nik=nik_build(
                district_code="31.73.08",
                birth_date=born,
                gender=gender,
                serial=next(self.serials),
            ),
            full_name=f"Warga {self.rng.randrange(10**6)}",
            gender=gender,
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


def setup_world(**period_fields):
    """A 2023–2027 period and trainings of two Sudin in three categories."""
    period = jakarta_barat_period(**period_fields)
    kpkp = Agency.objects.get(city__code="31.73", short_name="KPKP")
    for n, category in enumerate(["makanan", "minuman", "jasa"]):
        extra = {"agency": kpkp} if category == "minuman" else {}
        ProgramFactory(
            capacity=6,
            category=category,
            start_date=date(2024, 1, 10) + timedelta(days=90 * n),
            end_date=date(2024, 1, 12) + timedelta(days=90 * n),
            **extra,
        )
    return period


def play(*, seed: int, steps: int) -> None:
    actor = Actor(seed=seed, serials=serial_counter())
    for _ in range(steps):
        actor.act()
