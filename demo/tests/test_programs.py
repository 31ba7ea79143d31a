import hashlib
import re
from collections import defaultdict
from datetime import date, datetime

import pytest
from django.db import connection
from django.db.models import Count, Min, Q

from demo import bulk
from demo.programs import DemoProgramsResult, demo_programs
from demo.residents import demo_residents
from demo.tests.helpers import kept, kept_after_full_rebuild, schema, wipe
from participants.models import Resident
from programs.models import Agency, Enrollment, Program
from programs.services import program_create
from wilayah.models import District

TODAY = date(2025, 11, 1)
TRAINED = list(Enrollment.TRAINED)


def digest() -> str:
    """Programmes and enrolments as one hash, independent of database ids."""
    text = repr(
        [
            list(
                Program.objects.order_by("code").values_list(
                    "code",
                    "title",
                    "agency__short_name",
                    "category",
                    "district__code",
                    "venue",
                    "start_date",
                    "end_date",
                    "capacity",
                    "status",
                )
            ),
            list(
                Enrollment.objects.order_by(
                    "program__code", "resident__nik"
                ).values_list("program__code", "resident__nik", "enrolled_on", "status")
            ),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def training(*, agency: Agency, district_code: str, day: date) -> Program:
    """A one-day training made the ordinary way, through the service."""
    return program_create(
        agency=agency,
        created_by=None,
        title="Pelatihan",
        category="makanan",
        district=District.objects.get(code=district_code),
        venue="Aula",
        start_date=day,
        end_date=day,
        capacity=20,
    )


@pytest.fixture
def residents(places):
    demo_residents(count=400, seed=1, today=TODAY)
    ids = list(Resident.objects.order_by("id").values_list("id", flat=True))
    # A few voided registrations, whatever the seed gave, and a few residents who
    # registered before the demo calendar begins.
    Resident.objects.filter(id__in=ids[::40]).update(
        is_void=True, void_reason="Data ganda"
    )
    Resident.objects.filter(id__in=ids[5::40]).update(registered_on=date(2021, 6, 1))


@pytest.fixture
def seeded(residents):
    return demo_programs(seed=1, today=TODAY)


def test_every_jakarta_barat_sudin_runs_trainings(seeded):
    agencies = Agency.objects.filter(city__code="31.73").annotate(n=Count("programs"))

    assert agencies.count() == 6
    assert {a.short_name for a in agencies if a.n} == {
        "Nakertransgi",
        "KPKP",
        "PPKUKM",
        "Sosial",
        "Parekraf",
        "PPAPP",
    }
    assert seeded.programs == Program.objects.count() > 6
    assert seeded.enrollments == Enrollment.objects.count() > 200
    kecamatan = set(Program.objects.values_list("district__code", flat=True))
    assert kecamatan <= set(
        District.objects.filter(city__code="31.73").values_list("code", flat=True)
    )


def test_programmes_look_real(seeded):
    for program in Program.objects.select_related("district"):
        assert program.title.startswith("Pelatihan ")
        assert program.district.name in program.venue
        assert 20 <= program.capacity <= 40
        assert 1 <= (program.end_date - program.start_date).days + 1 <= 5
        assert program.start_date >= date(2023, 1, 1)
        assert program.start_date.weekday() < 5
        assert program.created_by_id is None and program.created_at is not None
        program.full_clean()  # model validation: dates, capacity, kecamatan of the kota
    categories = {
        a: set(
            Program.objects.filter(agency__short_name=a).values_list(
                "category", flat=True
            )
        )
        for a in ("KPKP", "Nakertransgi", "Sosial")
    }
    assert categories["KPKP"] <= {"makanan", "minuman"}
    assert categories["Nakertransgi"] <= {"jasa", "fashion"}
    assert categories["Sosial"] <= {"kerajinan", "jasa"}


def test_codes_are_well_formed_unique_and_sequential_per_agency_and_year(seeded):
    numbers = defaultdict(list)
    for program in Program.objects.select_related("agency").order_by(
        "start_date", "id"
    ):
        match = re.fullmatch(r"JB-([A-Z]+)-(\d{4})-(\d{3,})", program.code)
        assert match, program.code
        assert match[1] == program.agency.short_name.upper()
        assert int(match[2]) == program.start_date.year
        numbers[match[1], match[2]].append(int(match[3]))

    assert Program.objects.values("code").distinct().count() == Program.objects.count()
    for key, sequence in numbers.items():
        assert sequence == list(range(1, len(sequence) + 1)), key


def test_no_programme_is_over_capacity(seeded):
    programs = Program.objects.annotate(
        seats=Count("enrollments", filter=~Q(enrollments__status="cancelled")),
        everyone=Count("enrollments"),
    )
    for program in programs:
        assert program.everyone <= program.capacity, program.code
    full = [p.everyone / p.capacity for p in programs if p.status == "done"]
    assert 0.6 < sum(full) / len(full) <= 0.95


def test_enrolment_dates_follow_registration_and_precede_the_start(seeded):
    enrollments = Enrollment.objects.select_related("resident", "program")
    for e in enrollments:
        assert e.resident.registered_on <= e.enrolled_on <= e.program.start_date
        assert e.enrolled_on <= TODAY
        assert e.enrolled_by_id is None
        assert e.updated_at is not None
        assert e.updated_at.date() >= e.enrolled_on
    pairs = enrollments.values_list("resident_id", "program_id")
    assert len(set(pairs)) == len(pairs)


def test_void_residents_are_not_enrolled(seeded):
    assert Resident.objects.filter(is_void=True).count() >= 10
    assert not Enrollment.objects.filter(resident__is_void=True).exists()


def test_statuses_follow_the_dates(seeded):
    for program in Program.objects.prefetch_related("enrollments"):
        statuses = {e.status for e in program.enrollments.all()}
        if program.end_date < TODAY:
            assert program.status in ("done", "cancelled"), program.code
        elif program.start_date <= TODAY:
            assert program.status == "running"
            assert statuses <= {"attended", "enrolled"}
        else:
            assert program.status in ("open", "planned")
            assert statuses <= {"enrolled"}
        if program.status == "cancelled":
            assert statuses <= {"cancelled"}
    done = Enrollment.objects.filter(program__status="done")
    completed = done.filter(status="completed").count() / done.count()
    assert 0.6 < completed < 0.9
    assert Program.objects.filter(start_date__gt=TODAY).exists()


def test_about_three_in_five_residents_are_trained(seeded):
    residents = Resident.objects.filter(is_void=False)
    trained = residents.filter(enrollments__status__in=TRAINED).distinct().count()

    assert seeded.residents == residents.count()
    assert seeded.trained == trained
    assert 0.5 < trained / residents.count() < 0.75
    twice = residents.annotate(n=Count("enrollments")).filter(n__gte=2).count()
    assert twice > 0


def test_residents_pelatihan_date_follows_their_enrolments(seeded):
    residents = Resident.objects.annotate(
        first=Min("enrollments__enrolled_on", filter=Q(enrollments__status__in=TRAINED))
    )

    assert residents.filter(trained_on__isnull=False).count() == seeded.trained
    for resident in residents:
        assert resident.trained_on == resident.first, resident.nik


def test_stage_dates_and_counters_are_those_the_services_keep(seeded):
    loaded = kept()

    assert loaded == kept_after_full_rebuild()
    assert seeded.counters == len(loaded[1]) > 0


def test_same_seed_gives_the_same_calendar_and_another_seed_does_not(seeded):
    first = digest()
    wipe(Enrollment, Program)
    demo_programs(seed=1, today=TODAY)
    again = digest()
    wipe(Enrollment, Program)
    demo_programs(seed=2, today=TODAY)

    assert again == first
    assert digest() != first


def test_running_again_adds_nothing(seeded):
    before = digest()

    result = demo_programs(seed=3, today=TODAY)

    assert result.already_seeded
    assert result.programs == result.enrollments == 0
    assert "sudah berisi pelatihan" in result.summary()
    assert digest() == before


def test_codes_continue_after_those_already_taken(residents):
    # A stray code of the kota's prefix, on a training of another kota's Sudin.
    training(
        agency=Agency.objects.get(city__code="31.74", short_name="PPKUKM"),
        district_code="31.74.01",
        day=date(2024, 3, 1),
    )
    Program.objects.update(code="JB-PPKUKM-2024-007")

    demo_programs(seed=1, today=TODAY)

    codes = Program.objects.filter(
        agency__city__code="31.73", code__startswith="JB-PPKUKM-2024-"
    ).values_list("code", flat=True)
    assert min(codes) == "JB-PPKUKM-2024-008"


def test_summary_is_one_indonesian_line():
    result = DemoProgramsResult(programs=1234, enrollments=56789, seconds=4.2)

    assert (
        result.summary()
        == "Pelatihan demo: 1.234 pelatihan, 56.789 peserta (4,2 detik)"
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="index rebuild is PostgreSQL only"
)
def test_bulk_load_on_postgresql_puts_indexes_and_foreign_keys_back(
    residents, monkeypatch
):
    monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", 1)
    before = schema(Program, Enrollment, Resident)

    result = demo_programs(seed=1, today=TODAY)

    assert schema(Program, Enrollment, Resident) == before
    assert Resident.objects.filter(trained_on__isnull=False).count() == result.trained
    # The id sequences moved past the demo rows, and the next code follows the demo's.
    agency = Agency.objects.get(city__code="31.73", short_name="PPKUKM")
    last = (
        Program.objects.filter(agency=agency, start_date__year=2025)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    program = training(agency=agency, district_code="31.73.08", day=date(2025, 12, 1))
    assert program.code == f"JB-PPKUKM-2025-{int(last.rpartition('-')[2]) + 1:03d}"
    assert program.pk > max(
        Program.objects.exclude(pk=program.pk).values_list("pk", flat=True)
    )


def test_timestamps_are_not_in_the_future(seeded):
    now = datetime.now().astimezone()
    assert not Program.objects.filter(created_at__gt=now).exists()
    assert not Enrollment.objects.filter(updated_at__gt=now).exists()
