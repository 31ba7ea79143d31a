"""The per-kecamatan, per-semester, per-stage counters (StageCount) and how they follow writes.

Counting rules (DOMAIN.md): a resident counts once per stage, in the semester they first
reached it, for the kecamatan of their domicile kelurahan, unless their registration is
voided. Every write that can move one of those facts passes the resident's state before and
after to `counts_follow`, inside its own transaction, so the counters are exactly right
whenever that transaction commits; `stage_counts_rebuild` recounts from the residents table.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Value, When
from django.db.models.functions import ExtractYear

from participants.models import STAGE_DATE_FIELDS, Resident
from wilayah.models import Village

from .models import StageCount
from .semesters import Semester


@dataclass(frozen=True)
class CountedState:
    """What the counters know of one resident."""

    district_id: int | None
    is_void: bool
    dates: dict[str, date | None] = field(default_factory=dict)  # stage -> first date

    def keys(self) -> Counter:
        if self.is_void or self.district_id is None:
            return Counter()
        return Counter(
            (self.district_id, stage, Semester.of(day).index)
            for stage, day in self.dates.items()
            if day is not None
        )


STATE_FIELDS = ["village__district_id", "is_void", *STAGE_DATE_FIELDS.values()]


def state_from_values(row: dict) -> CountedState:
    return CountedState(
        district_id=row["village__district_id"],
        is_void=row["is_void"],
        dates={stage: row[field] for stage, field in STAGE_DATE_FIELDS.items()},
    )


def state_of(resident: Resident) -> CountedState:
    """The state of an in-memory resident (its kelurahan's kecamatan is looked up)."""
    district_id = (
        Village.objects.filter(pk=resident.village_id)
        .values_list("district_id", flat=True)
        .first()
    )
    return CountedState(
        district_id=district_id,
        is_void=resident.is_void,
        dates={
            stage: getattr(resident, field)
            for stage, field in STAGE_DATE_FIELDS.items()
        },
    )


def stored_state(resident_id: int) -> CountedState | None:
    row = Resident.objects.filter(pk=resident_id).values(*STATE_FIELDS).first()
    return state_from_values(row) if row else None


_UPSERT = (
    f"INSERT INTO {StageCount._meta.db_table} (district_id, stage, semester, count) "
    "VALUES (%s, %s, %s, %s) ON CONFLICT (district_id, stage, semester) "
    f"DO UPDATE SET count = {StageCount._meta.db_table}.count + excluded.count"
)


_DECREASE = (
    f"UPDATE {StageCount._meta.db_table} SET count = count - %s "
    "WHERE district_id = %s AND stage = %s AND semester = %s"
)


class StageCountMismatch(RuntimeError):
    """The counters disagree with the residents: run stage_counts_rebuild."""


def counts_follow(before: CountedState | None, after: CountedState | None) -> None:
    """Move the counters from a resident's old state to its new one (call in its transaction)."""
    diff = Counter(after.keys() if after else {})
    diff.subtract(before.keys() if before else {})
    changes = sorted((key, n) for key, n in diff.items() if n)
    if not changes:
        return
    # Inside the writer's transaction (services, admin); its own one for a bare shell save.
    with transaction.atomic(), connection.cursor() as cursor:
        # Sorted keys: two writers touching the same counters lock them in the same order.
        for (district_id, stage, semester), n in changes:
            if n > 0:
                cursor.execute(_UPSERT, [district_id, stage, semester, n])
                continue
            # A decrease never inserts (the CHECK would refuse a negative row first).
            cursor.execute(_DECREASE, [-n, district_id, stage, semester])
            if cursor.rowcount != 1:
                raise StageCountMismatch(
                    f"no counter {district_id}/{stage}/{semester} to decrease"
                )


def semester_index(field_name: str):
    """Semester.index of a date column, computed by the database."""
    return ExtractYear(field_name) * 2 + Case(
        When(**{f"{field_name}__month__gt": 6}, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


@transaction.atomic
def stage_counts_rebuild(*, district_ids: list[int] | None = None) -> int:
    """Recount every counter (of these kecamatan) from the residents table."""
    counters = StageCount.objects.all()
    residents = Resident.objects.filter(is_void=False)
    if district_ids is not None:
        counters = counters.filter(district_id__in=district_ids)
        residents = residents.filter(village__district_id__in=district_ids)
    counters.delete()
    rows = []
    for stage, field_name in STAGE_DATE_FIELDS.items():
        grouped = (
            residents.filter(**{f"{field_name}__isnull": False})
            .annotate(semester_index=semester_index(field_name))
            .values("village__district_id", "semester_index")
            .annotate(n=Count("pk"))
            .order_by()
        )
        rows += [
            StageCount(
                district_id=row["village__district_id"],
                stage=stage,
                semester=row["semester_index"],
                count=row["n"],
            )
            for row in grouped
        ]
    StageCount.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
