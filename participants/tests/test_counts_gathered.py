"""counts_gathered: a bulk writer's moves of the counters added up and applied once."""

import dataclasses
from datetime import date

import pytest
from django.db import connection, transaction

from participants.counting import (
    CountedState,
    counts_follow_many,
    counts_gathered,
)
from participants.models import BreakdownCount, Stage, StageCount
from wilayah.models import Village


def counters() -> tuple[set, set]:
    """The counters that count someone (a counter that went down to 0 counts no one)."""
    return (
        set(
            StageCount.objects.filter(count__gt=0).values_list(
                "village_id", "stage", "semester", "count"
            )
        ),
        set(
            BreakdownCount.objects.filter(count__gt=0).values_list(
                "village_id", "stage", "semester", "dimension", "value", "count"
            )
        ),
    )


def moves(village_id: int) -> list[tuple]:
    """Created untrained, then trained in the same chunk (as an import writes them)."""
    new = CountedState(
        village_id=village_id,
        is_void=False,
        gender="P",
        birth_date=date(1990, 8, 5),
        dates={Stage.PENDAFTARAN: date(2025, 3, 1)},
    )
    trained = dataclasses.replace(
        new,
        trained_agency_id=7,
        trained_category="makanan",
        dates={**new.dates, Stage.PELATIHAN: date(2025, 4, 1)},
    )
    return [(None, new), (new, trained)]


def test_gathered_moves_end_as_the_moves_made_one_by_one(
    places, django_assert_num_queries
):
    village_id = Village.objects.get(code="31.73.08.1005").pk
    with transaction.atomic():
        for change in moves(village_id):
            counts_follow_many([change])
        one_by_one = counters()
        transaction.set_rollback(True)
    assert one_by_one != (set(), set())

    # One upsert per table, nothing to decrease; PostgreSQL gets both in one round trip.
    upserts = 1 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(upserts), counts_gathered():
        for change in moves(village_id):
            counts_follow_many([change])
    assert counters() == one_by_one


def test_a_block_that_fails_moves_nothing(places):
    village_id = Village.objects.get(code="31.73.08.1005").pk
    with pytest.raises(RuntimeError), counts_gathered():
        counts_follow_many(moves(village_id))
        raise RuntimeError
    assert counters() == (set(), set())
