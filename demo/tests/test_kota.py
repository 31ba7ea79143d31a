"""One load of several kota's residents and trainings: the same rows as the two loaders one
after the other, stage dates and counters as the services keep them, and on PostgreSQL each
index dropped and built once for the whole load, not once per kota and loader."""

import hashlib
from datetime import date

import pytest
from django.db import connection, transaction
from django.db.backends import utils

from demo import bulk
from demo.kota import demo_kota_load
from demo.programs import demo_programs
from demo.residents import demo_residents
from demo.tests.helpers import kept, kept_after_full_rebuild, schema
from demo.tests.test_programs import digest
from participants.models import (
    DERIVED_FIELDS,
    BreakdownCount,
    Resident,
    StageCount,
    StageRecord,
)
from participants.stages import resident_stages_rebuild
from programs.models import Enrollment, Program

TODAY = date(2025, 11, 1)


def residents_digest() -> str:
    rows = Resident.objects.order_by("nik").values_list(
        "nik", "full_name", "village__code", "registered_on", "is_void",
        "trained_on", "mentored_on", "financed_on",
    )  # fmt: skip
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


class RolledBack(Exception):
    pass


def test_one_load_makes_the_rows_the_two_loaders_make(places):
    try:
        with transaction.atomic():
            demo_residents(count=300, seed=3, today=TODAY)
            demo_programs(seed=3, today=TODAY)
            separately = residents_digest(), digest()
            raise RolledBack
    except RolledBack:
        pass
    assert not Resident.objects.exists()

    people, trainings = demo_kota_load(
        residents={"31.73": 300}, programs=["31.73"], seed=3, today=TODAY
    )

    assert (residents_digest(), digest()) == separately
    assert people[0].residents == 300 and trainings[0].programs > 0
    assert people[0].counters == trainings[0].counters > 0


def test_several_kota_in_one_load_keep_what_the_services_keep(places):
    people, trainings = demo_kota_load(
        residents={"31.73": 250, "31.74": 150, "31.71": 100},
        programs=["31.73", "31.74"],
        seed=4,
        today=TODAY,
    )

    assert [p.residents for p in people] == [250, 150, 100]
    assert Resident.objects.filter(village__district__city__code="31.71").count() == 100
    assert Program.objects.filter(agency__city__code="31.71").count() == 0
    assert Program.objects.filter(agency__city__code="31.74").exists()
    niks = list(Resident.objects.values_list("nik", flat=True))
    assert len(niks) == len(set(niks)) == 500
    assert kept() == kept_after_full_rebuild()


def test_a_kota_already_filled_gets_nothing_and_the_others_are_filled(places):
    demo_residents(count=50, seed=5, today=TODAY)

    people, _trainings = demo_kota_load(
        residents={"31.73": 80, "31.75": 60}, seed=5, today=TODAY
    )

    assert people[0].already_seeded and not people[1].already_seeded
    assert Resident.objects.count() == 110
    assert kept() == kept_after_full_rebuild()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="index rebuild is PostgreSQL only"
)
def test_each_index_is_built_once_for_the_whole_load(places, monkeypatch):
    monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", 1)
    tables = (Resident, StageRecord, Program, Enrollment)
    before = schema(*tables)
    built = []
    real = utils.CursorWrapper.execute

    def execute(self, sql, params=None):
        if sql.startswith("CREATE INDEX") or sql.startswith("CREATE UNIQUE INDEX"):
            built.append(sql.split(" ON ")[0])
        return real(self, sql, params)

    monkeypatch.setattr(utils.CursorWrapper, "execute", execute)

    demo_kota_load(
        residents={"31.73": 120, "31.74": 80, "31.75": 60},
        programs=["31.73", "31.74"],
        seed=6,
        today=TODAY,
    )

    assert schema(*tables) == before
    assert built and len(built) == len(set(built)), "an index was built twice"
    assert kept() == kept_after_full_rebuild()


def test_residents_are_written_once_with_the_stage_dates_the_rebuild_gives(
    places, monkeypatch
):
    """The load writes each new resident with its stage dates (its stage records, its first
    hadir/lulus enrolment as demo.programs makes them) instead of rebuilding them after:
    participants.stages' rebuild over the same rows must find nothing to change."""
    rebuilt = []
    monkeypatch.setattr(
        bulk, "resident_stages_rebuild", lambda **kwargs: rebuilt.append(kwargs)
    )

    demo_kota_load(
        residents={"31.73": 400, "31.74": 150},
        programs=["31.73"],
        seed=8,
        today=TODAY,
    )

    assert rebuilt == []  # no second write of the residents
    written = list(Resident.objects.order_by("pk").values_list("pk", *DERIVED_FIELDS))
    trained = Resident.objects.filter(trained_on__isnull=False)
    assert trained.exists() and Resident.objects.filter(mentored_on__isnull=False)
    assert not trained.filter(village__district__city__code="31.74").exists()
    assert Enrollment.objects.values("resident").distinct().count() > trained.count()
    assert resident_stages_rebuild() == 0
    assert (
        list(Resident.objects.order_by("pk").values_list("pk", *DERIVED_FIELDS))
        == written
    )
    assert kept() == kept_after_full_rebuild()


def test_trainings_for_residents_stored_earlier_rebuild_their_stage_dates(places):
    demo_kota_load(residents={"31.73": 200}, seed=9, today=TODAY)
    assert not Resident.objects.filter(trained_on__isnull=False).exists()

    demo_kota_load(residents={"31.73": 200}, programs=["31.73"], seed=9, today=TODAY)

    assert Resident.objects.count() == 200
    assert Resident.objects.filter(trained_on__isnull=False).exists()
    assert kept() == kept_after_full_rebuild()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="ANALYZE after the load: PostgreSQL"
)
def test_the_tables_the_load_wrote_are_analyzed(places):
    """The first queries after a load plan with its numbers: the planner's row count of
    every table it wrote (pg_class.reltuples, -1 before any ANALYZE) is filled in."""
    demo_kota_load(residents={"31.73": 120}, programs=["31.73"], seed=7, today=TODAY)

    tables = [
        model._meta.db_table
        for model in (Resident, StageRecord, Program, Enrollment)
        + (StageCount, BreakdownCount)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)", [tables]
        )
        estimates = dict(cursor.fetchall())
    assert sorted(estimates) == sorted(tables)
    assert all(n > 0 for n in estimates.values()), estimates
