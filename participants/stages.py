"""Each resident's stage dates, kept in step with stage records and enrolments.

The dates on Resident are a cache of the source rows (StageRecord, programs.Enrollment):
lists filter on them and reports count them. `resident_stages_sync` runs in the same
transaction as every write to the sources (signals cover admin and shell writes too);
`resident_stages_rebuild` recomputes everything after a bulk load.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Min, QuerySet

from programs.models import Enrollment
from reports.counting import STATE_FIELDS, counts_follow, state_from_values

from .models import (
    DERIVED_STAGE_FIELDS,
    STAGE_DATE_FIELDS,
    Resident,
    Stage,
    StageRecord,
)


def _first_dates(resident_ids: set[int]) -> dict[int, dict[str, object]]:
    dates: dict[int, dict[str, object]] = {
        pk: dict.fromkeys(DERIVED_STAGE_FIELDS) for pk in resident_ids
    }
    records = (
        StageRecord.objects.filter(resident_id__in=resident_ids)
        .values("resident_id", "stage")
        .annotate(first=Min("reached_on"))
        .order_by()
    )
    for row in records:
        dates[row["resident_id"]][STAGE_DATE_FIELDS[row["stage"]]] = row["first"]
    trainings = (
        Enrollment.objects.filter(
            resident_id__in=resident_ids, status__in=Enrollment.TRAINED
        )
        .values("resident_id")
        .annotate(first=Min("enrolled_on"))
        .order_by()
    )
    for row in trainings:
        dates[row["resident_id"]][STAGE_DATE_FIELDS[Stage.PELATIHAN]] = row["first"]
    return dates


def resident_stages_sync(*, resident_ids: Iterable[int]) -> int:
    """Recompute the stage dates of these residents; returns how many changed."""
    ids = {pk for pk in resident_ids if pk is not None}
    if not ids:
        return 0
    # Lock first, read after: a writer that committed a stage while we waited for the lock
    # is then seen by the reads below (read committed), so no stale date is written back.
    residents = list(
        Resident.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values("pk", *STATE_FIELDS)
    )
    new_dates = _first_dates(ids)
    changed = 0
    for current in residents:
        new = new_dates[current["pk"]]
        update = {
            field: new[field]
            for field in DERIVED_STAGE_FIELDS
            if current[field] != new[field]
        }
        if update:
            Resident.objects.filter(pk=current["pk"]).update(**update)
            # update() skips the save signals, so the counters are moved here.
            counts_follow(
                state_from_values(current), state_from_values({**current, **update})
            )
            changed += 1
    return changed


def resident_stages_rebuild(*, resident_ids: QuerySet | None = None) -> None:
    """Recompute the stage dates of many residents at once (after bulk loads).

    Set-based: one pass that clears, one UPDATE ... FROM per source, each touching only the
    residents that have rows there (the per-resident sync would take hours at millions).
    `resident_ids` is a values("pk") queryset that limits the work (default: everyone).
    """
    resident = Resident._meta.db_table
    records = StageRecord._meta.db_table
    enrollments = Enrollment._meta.db_table
    scope_sql, scope_params = ("", [])
    if resident_ids is not None:
        sql, params = resident_ids.query.sql_with_params()
        scope_sql, scope_params = f" AND r.id IN ({sql})", list(params)
    pivot = ", ".join(
        f"MIN(CASE WHEN stage = %s THEN reached_on END) AS {field}"
        for stage, field in STAGE_DATE_FIELDS.items()
        if stage not in (Stage.PENDAFTARAN, Stage.PELATIHAN)
    )
    recorded = [
        f
        for s, f in STAGE_DATE_FIELDS.items()
        if s not in (Stage.PENDAFTARAN, Stage.PELATIHAN)
    ]
    stages = [
        s.value
        for s in STAGE_DATE_FIELDS
        if s not in (Stage.PENDAFTARAN, Stage.PELATIHAN)
    ]
    trained = [Enrollment.Status.ATTENDED.value, Enrollment.Status.COMPLETED.value]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {resident} AS r SET "
            + ", ".join(f"{field} = NULL" for field in DERIVED_STAGE_FIELDS)
            + f" WHERE ({' OR '.join(f'{f} IS NOT NULL' for f in DERIVED_STAGE_FIELDS)}){scope_sql}",
            scope_params,
        )
        cursor.execute(
            f"UPDATE {resident} AS r SET "
            + ", ".join(f"{field} = s.{field}" for field in recorded)
            + f" FROM (SELECT resident_id, {pivot} FROM {records} GROUP BY resident_id) AS s"
            + f" WHERE r.id = s.resident_id{scope_sql}",
            [*stages, *scope_params],
        )
        cursor.execute(
            f"UPDATE {resident} AS r SET trained_on = s.first"
            f" FROM (SELECT resident_id, MIN(enrolled_on) AS first FROM {enrollments}"
            f" WHERE status IN (%s, %s) GROUP BY resident_id) AS s"
            f" WHERE r.id = s.resident_id{scope_sql}",
            [*trained, *scope_params],
        )
