"""The date a resident reached each stage: the one place (DOMAIN.md, stages and rule 7).

Pendaftaran is the registration date. Every later stage is reached on the date of the
resident's earliest qualifying source row (by date, then id): a StageRecord of that stage
(registered below), or a hadir/lulus enrolment for Pelatihan (registered by `programs`, which
sits above this app). The earliest row may also carry facts the reports break down by (the
Sudin and category of the training that put a resident at Pelatihan).

The dates are kept on Resident, so lists filter and reports count one indexed column.
`resident_stages_sync` is called by every write service that changes a source row, in its
transaction, and moves the counters (participants.counting); `resident_stages_rebuild`
recomputes many residents at once with the same definition as SQL (after bulk loads).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from .counting import STATE_FIELDS, counts_follow_many, state_from_values
from .models import RECORDED_STAGES, STAGE_DATE_FIELDS, Resident, Stage, StageRecord


@dataclass(frozen=True)
class StageSource:
    """The rows that show residents reaching a stage; each resident's earliest one counts."""

    stage: Stage
    rows: Callable[[], QuerySet]  # the qualifying rows (they have resident_id and id)
    date_field: str
    # Resident field -> row field, copied from the earliest row (cleared when there is none).
    carries: dict[str, str] = field(default_factory=dict)

    @property
    def resident_fields(self) -> dict[str, object]:
        """Resident field -> its value when the resident has no qualifying row."""
        fields = {STAGE_DATE_FIELDS[self.stage]: None}
        for name in self.carries:
            model_field = Resident._meta.get_field(name.removesuffix("_id"))
            fields[name] = None if model_field.null else ""
        return fields

    def earliest(self) -> QuerySet:
        """One row per resident: s_resident, s_date and s_0, s_1, ... for the carried fields."""
        return (
            self.rows()
            .annotate(
                s_rank=Window(
                    RowNumber(),
                    partition_by=[F("resident_id")],
                    order_by=[F(self.date_field).asc(), F("id").asc()],
                ),
                s_resident=F("resident_id"),
                s_date=F(self.date_field),
                **{f"s_{n}": F(row) for n, row in enumerate(self.carries.values())},
            )
            .filter(s_rank=1)
            .values(
                "s_resident", "s_date", *[f"s_{n}" for n in range(len(self.carries))]
            )
            .order_by()
        )


SOURCES: dict[Stage, StageSource] = {}


def stage_source_register(source: StageSource) -> None:
    """Declare where a stage's dates come from (apps call this from AppConfig.ready)."""
    SOURCES[source.stage] = source


def register_recorded_stages() -> None:
    for stage in RECORDED_STAGES:
        stage_source_register(
            StageSource(
                stage=stage,
                rows=lambda stage=stage: StageRecord.objects.filter(stage=stage),
                date_field="reached_on",
            )
        )


def _sources(stages: Iterable[str] | None) -> list[StageSource]:
    return [SOURCES[Stage(s)] for s in stages] if stages else list(SOURCES.values())


def resident_stages_sync(
    *,
    resident_ids: Iterable[int],
    stages: Iterable[str] | None = None,
    locked: Resident | None = None,
) -> int:
    """Recompute these residents' dates of these stages (default all) and move the counters.

    Call inside the transaction of the write that changed a source row; returns how many
    residents changed. `locked`: the one resident, already locked (select_for_update) and
    read by the caller in this transaction before it wrote the source row; it is not read
    again.
    """
    ids = {pk for pk in resident_ids if pk is not None}
    if not ids:
        return 0
    if locked is not None and ids == {locked.pk}:
        residents = [
            {"pk": locked.pk, **{name: getattr(locked, name) for name in STATE_FIELDS}}
        ]
    else:
        # Lock first, read after: a writer that committed a source row while we waited
        # for the lock is then seen by the reads below (read committed), so no stale date
        # is written.
        residents = list(
            Resident.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values("pk", *STATE_FIELDS)
        )
    new: dict[int, dict[str, object]] = {pk: {} for pk in ids}
    for source in _sources(stages):
        for values in new.values():
            values.update(source.resident_fields)
        carried = list(source.carries)
        for row in source.earliest().filter(s_resident__in=ids):
            values = new[row["s_resident"]]
            values[STAGE_DATE_FIELDS[source.stage]] = row["s_date"]
            for n, name in enumerate(carried):
                values[name] = row[f"s_{n}"]
    changes, updated = [], []
    for current in residents:
        update = {
            name: value
            for name, value in new[current["pk"]].items()
            if current[name] != value
        }
        if update:
            after = {**current, **update}
            changes.append((state_from_values(current), state_from_values(after)))
            updated.append(after)
    if updated:
        # One UPDATE per distinct set of new values, not per resident: an import syncs a
        # thousand residents who mostly reached Pelatihan in the same training.
        fields = sorted({name for values in new.values() for name in values})
        groups: dict[tuple, list[int]] = {}
        for values in updated:
            key = tuple(values[name] for name in fields)
            groups.setdefault(key, []).append(values["pk"])
        for key, pks in groups.items():
            Resident.objects.filter(pk__in=pks).update(
                **dict(zip(fields, key, strict=True))
            )
        counts_follow_many(changes)
    return len(updated)


def resident_stages_rebuild(
    *, resident_ids: QuerySet | None = None, village_ids: list[int] | None = None
) -> int:
    """Recompute the stage dates of many residents at once (after bulk loads); returns how
    many residents changed.

    Set-based, the same definition as the per-resident sync: one UPDATE that joins every
    source's earliest rows and rewrites only the residents whose dates differ (a resident
    row written once, not cleared and set again per stage; the per-resident sync would take
    hours at millions). `resident_ids` is a values("pk") queryset that limits the work
    (default: everyone), or `village_ids` the kelurahan whose residents are redone (a plain
    filter on the scan, where an id list is a join over as many rows as the table). The
    counters are not moved: rebuild them after this.
    """
    table = Resident._meta.db_table
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        # Right after a bulk load the planner knows nothing of the new rows and would
        # join them row by row; fresh statistics (sampled, a second or two) avoid that.
        with connection.cursor() as cursor:
            tables = {table} | {s.rows().model._meta.db_table for s in SOURCES.values()}
            cursor.execute("ANALYZE " + ", ".join(sorted(tables)))
    joins, params, computed = [], [], {}
    for k, source in enumerate(SOURCES.values()):
        earliest_sql, earliest_params = source.earliest().query.sql_with_params()
        joins.append(f"LEFT JOIN ({earliest_sql}) AS s{k} ON s{k}.s_resident = r2.id")
        params += earliest_params
        row_columns = ["s_date", *[f"s_{n}" for n in range(len(source.carries))]]
        for (name, default), column in zip(
            source.resident_fields.items(), row_columns, strict=True
        ):
            # No qualifying row: the field's "none" value (NULL, or "" for text).
            computed[name] = (
                f"s{k}.{column}"
                if default is None
                else f"COALESCE(s{k}.{column}, '{default}')"
            )
    columns = {
        name: quote(Resident._meta.get_field(name.removesuffix("_id")).column)
        for name in computed
    }
    scope_sql = ""
    if resident_ids is not None:
        sql, scope_params = resident_ids.query.sql_with_params()
        scope_sql = f" WHERE r2.id IN ({sql})"
        params += scope_params
    elif village_ids is not None:
        villages = ", ".join(str(int(pk)) for pk in village_ids or [0])
        scope_sql = f" WHERE r2.village_id IN ({villages})"
    new_values = ", ".join(
        f"{expr} AS {columns[name]}" for name, expr in computed.items()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(table)} AS r SET "  # noqa: S608 (names from the models)
            + ", ".join(f"{column} = n.{column}" for column in columns.values())
            + f" FROM (SELECT r2.id AS id, {new_values} FROM {quote(table)} AS r2 "
            + " ".join(joins)
            + scope_sql
            + ") AS n WHERE r.id = n.id AND ("
            + " OR ".join(
                f"r.{column} IS DISTINCT FROM n.{column}"
                if connection.vendor == "postgresql"
                else f"r.{column} IS NOT n.{column}"
                for column in columns.values()
            )
            + ")",
            params,
        )
        return cursor.rowcount
