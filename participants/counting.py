"""How a resident is counted: the one place (DOMAIN.md, counting rules 1–3 and 7).

- A resident is counted unless their registration is voided (`COUNTED`).
- They count once per stage, in the semester in which they first reached it: the stage dates
  kept on the resident by `participants.stages`, the semester by `jakpreneur.semesters`.
- They count for their domicile kelurahan, and through it for its kecamatan and kota.
- Breakdowns split the same residents by gender, by age band on the day they reached the
  stage, and by the Sudin and category of the training that put them at Pelatihan (empty:
  not trained yet), and by how they heard of Jakpreneur (empty: not asked), so every
  breakdown sums to the headline.

The counters (`StageCount`, `BreakdownCount`) follow every write: a write service passes the
resident's counted state before and after the write to `counts_follow`, inside the write's
transaction. `stage_counts_rebuild` recounts from the residents table with the same rules as
SQL expressions (`age_band_sql`, `semester_index_sql`); tests check those against the Python.
"""

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractYear

from jakpreneur.semesters import Semester, semester_index_sql

from .models import (
    STAGE_DATE_FIELDS,
    BreakdownCount,
    Dimension,
    HeardVia,
    Resident,
    Stage,
    StageCount,
)

logger = logging.getLogger(__name__)

# Who is counted at all: every resident whose registration is not voided.
COUNTED = Q(is_void=False)

# Registrations that name outreach as their source (issue 13): the BreakdownCount rows of
# counted residents who reached Pendaftaran and heard of Jakpreneur at an outreach activity
# (their semester is the one they registered in; their kecamatan their domicile's).
NAMED_OUTREACH = Q(
    stage=Stage.PENDAFTARAN, dimension=Dimension.HEARD, value=HeardVia.OUTREACH
)

# Age bands on the day a stage was reached: (first age, last age, stored value).
AGE_BANDS = [
    (0, 24, "0-24"),
    (25, 34, "25-34"),
    (35, 44, "35-44"),
    (45, 54, "45-54"),
    (55, 999, "55+"),
]
AGE_BAND_LABELS = {
    "0-24": "< 25",
    "25-34": "25–34",
    "35-44": "35–44",
    "45-54": "45–54",
    "55+": "≥ 55",
}


def age_on(*, birth_date: date, day: date) -> int:
    """Completed years of age on a day."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def age_band(*, birth_date: date, day: date) -> str:
    age = age_on(birth_date=birth_date, day=day)
    return next(value for low, high, value in AGE_BANDS if low <= age <= high)


def age_band_sql(field_name: str, *, age_alias: str = "age"):
    """age_band(birth_date, <field_name>) computed by the database: the band, and the age
    it reads, to be annotated as `age_alias` first."""
    before_birthday = Case(
        When(
            Q(**{f"{field_name}__month__lt": F("birth_date__month")})
            | Q(
                **{
                    f"{field_name}__month": F("birth_date__month"),
                    f"{field_name}__day__lt": F("birth_date__day"),
                }
            ),
            then=Value(1),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    age = ExtractYear(field_name) - ExtractYear("birth_date") - before_birthday
    return Case(
        *[
            When(
                Q(**{f"{age_alias}__gte": low, f"{age_alias}__lte": high}),
                then=Value(value),
            )
            for low, high, value in AGE_BANDS
        ],
        output_field=CharField(),
    ), age


# Bulk writers count thousands of residents who share a few dates: each answer once.
@lru_cache(maxsize=4096)
def _semester_index(day: date) -> int:
    return Semester.of(day).index


@lru_cache(maxsize=8192)  # a few MB: a million-row import keeps its memory
def _age_band(birth_date: date, day: date) -> str:
    return age_band(birth_date=birth_date, day=day)


STATE_FIELDS = [
    "village_id",
    "is_void",
    "gender",
    "birth_date",
    "trained_agency_id",
    "trained_category",
    "heard_via",
    *STAGE_DATE_FIELDS.values(),
]

_GENDER, _AGENCY, _CATEGORY, _AGE, _HEARD = (
    Dimension.GENDER.value,
    Dimension.AGENCY.value,
    Dimension.CATEGORY.value,
    Dimension.AGE.value,
    Dimension.HEARD.value,
)
StageKey = tuple[int, str, int]  # (village id, stage, semester index)
BreakdownKey = tuple[int, str, int, str, str]  # StageKey + (dimension, value)


@dataclass(frozen=True)
class CountedState:
    """What the counters know of one resident."""

    village_id: int | None
    is_void: bool
    gender: str = ""
    birth_date: date | None = None
    trained_agency_id: int | None = None
    trained_category: str = ""
    heard_via: str = ""
    dates: dict[str, date | None] = field(default_factory=dict)  # stage -> first date

    @property
    def counted(self) -> bool:
        return not self.is_void and self.village_id is not None

    def _reached(self):
        if not self.counted:
            return
        for stage, day in self.dates.items():
            if day is not None:
                yield (self.village_id, stage, _semester_index(day)), day

    def stage_keys(self) -> list[StageKey]:
        """The stage counters this resident is in."""
        return [key for key, _day in self._reached()]

    def breakdown_keys(self) -> list[BreakdownKey]:
        """The breakdown counters this resident is in (one per dimension and stage)."""
        fixed = (
            (_GENDER, self.gender),
            (_AGENCY, str(self.trained_agency_id or "")),
            (_CATEGORY, self.trained_category),
            (_HEARD, self.heard_via),
        )
        keys = []
        for (village_id, stage, semester), day in self._reached():
            for dimension, value in fixed:
                keys.append((village_id, stage, semester, dimension, value))
            band = _age_band(self.birth_date, day)
            keys.append((village_id, stage, semester, _AGE, band))
        return keys


def state_from_values(row: dict) -> CountedState:
    return CountedState(
        village_id=row["village_id"],
        is_void=row["is_void"],
        gender=row["gender"],
        birth_date=row["birth_date"],
        trained_agency_id=row["trained_agency_id"],
        trained_category=row["trained_category"],
        heard_via=row["heard_via"],
        dates={stage: row[name] for stage, name in STAGE_DATE_FIELDS.items()},
    )


def state_of(resident: Resident) -> CountedState:
    """The counted state of an in-memory resident."""
    return state_from_values(
        {
            name: getattr(resident, name)
            for name in STATE_FIELDS
            if name not in ("village_id", "trained_agency_id")
        }
        | {
            "village_id": resident.village_id,
            "trained_agency_id": resident.trained_agency_id,
        }
    )


def stored_state(resident_id: int) -> CountedState | None:
    """The counted state of a resident as the database holds it now."""
    row = Resident.objects.filter(pk=resident_id).values(*STATE_FIELDS).first()
    return state_from_values(row) if row else None


# Who must hear that counters moved (reports' cached pages, registered by reports in its
# AppConfig.ready: participants may not import reports). Each listener gets the ids of the
# kelurahan whose counters changed, or None for all of them, once the write is committed.
CountsListener = Callable[[frozenset[int] | None], None]
_counts_listeners: list[CountsListener] = []


def counts_changed_register(listener: CountsListener) -> None:
    if listener not in _counts_listeners:
        _counts_listeners.append(listener)


def _counts_changed(village_ids: Iterable[int] | None) -> None:
    """Tell the listeners after the writer's transaction commits (not at all if it rolls
    back): a page computed before the commit must not be kept as the new state."""
    ids = None if village_ids is None else frozenset(village_ids)
    for listener in _counts_listeners:
        transaction.on_commit(lambda listener=listener: listener(ids), robust=True)


class StageCountMismatch(RuntimeError):
    """The counters disagreed with the residents (they are recounted, and it is logged)."""


def counts_follow(before: CountedState | None, after: CountedState | None) -> None:
    """Move the counters from a resident's old state to its new one (call in its transaction).

    A counter that cannot be decreased (a database that was filled without counters, or a
    write made around the services) is not an error for the user: the kelurahan concerned
    are recounted from the residents table and a warning is logged.
    """
    counts_follow_many([(before, after)])


# Each counter table's key, in its unique constraint's order (the keys of the diffs).
STAGE_KEY = ["village_id", "stage", "semester"]
BREAKDOWN_KEY = [*STAGE_KEY, "dimension", "value"]


def _apply_both(stage_diff: Counter, breakdown_diff: Counter) -> None:
    """Both counter tables moved by their differences; listeners told which kelurahan.
    The decreases first, each checked on its own row; then the increases of both tables
    as UPSERTs, in one round trip on PostgreSQL (a registration's or a stage's only
    statements here)."""
    tables = [
        (StageCount, STAGE_KEY, stage_diff),
        (BreakdownCount, BREAKDOWN_KEY, breakdown_diff),
    ]
    for model, columns, diff in tables:
        _decrease(model, columns, diff)
    _execute(
        [
            statement
            for model, columns, diff in tables
            for statement in _insert_statements(
                model,
                columns,
                sorted((key, n) for key, n in diff.items() if n > 0),
                add_to_existing=True,
            )
        ]
    )
    _counts_changed(key[0] for key in (*stage_diff, *breakdown_diff))


# The differences gathered by an open counts_gathered() block (None: apply at once).
_gathered: ContextVar[tuple[Counter, Counter] | None] = ContextVar(
    "counts_gathered", default=None
)


@contextmanager
def counts_gathered() -> Iterator[None]:
    """Inside the block, counts_follow_many only adds up the differences; they are applied
    once when the block ends (inside the writer's transaction, as counts_follow_many would).

    For bulk writers whose one chunk moves a resident twice (created, then trained by the
    enrolment written after it): the two moves cancel out in the sum, so the counters get
    one upsert per table instead of one decrease per counter the first move raised.
    """
    if _gathered.get() is not None:  # already gathering: the outer block applies them
        yield
        return
    diffs = (Counter(), Counter())
    token = _gathered.set(diffs)
    try:
        yield
    finally:
        _gathered.reset(token)
    _diffs_apply(*diffs)


def counts_follow_many(
    changes: Iterable[tuple[CountedState | None, CountedState | None]],
) -> None:
    """counts_follow for many residents at once: their differences summed, then applied
    in one statement per table (bulk writers such as imports)."""
    empty = CountedState(village_id=None, is_void=True)
    gathered = _gathered.get()
    stage_diff, breakdown_diff = gathered or (Counter(), Counter())
    for before, after in changes:
        before, after = before or empty, after or empty
        for key in after.stage_keys():
            stage_diff[key] += 1
        for key in before.stage_keys():
            stage_diff[key] -= 1
        for key in after.breakdown_keys():
            breakdown_diff[key] += 1
        for key in before.breakdown_keys():
            breakdown_diff[key] -= 1
    if gathered is None:
        _diffs_apply(stage_diff, breakdown_diff)


def _diffs_apply(stage_diff: Counter, breakdown_diff: Counter) -> None:
    stage_diff = Counter({key: n for key, n in stage_diff.items() if n})
    breakdown_diff = Counter({key: n for key, n in breakdown_diff.items() if n})
    if not stage_diff and not breakdown_diff:
        return
    if all(n >= 0 for n in (*stage_diff.values(), *breakdown_diff.values())):
        # Only increases (a registration): UPSERTs, which cannot disagree with anything,
        # so no savepoint to heal from.
        _apply_both(stage_diff, breakdown_diff)
        return
    # Inside the writer's transaction; its own savepoint so that a mismatch can be healed.
    try:
        with transaction.atomic():
            _apply_both(stage_diff, breakdown_diff)
    except StageCountMismatch as error:
        villages = sorted(
            {key[0] for key in stage_diff} | {key[0] for key in breakdown_diff}
        )
        logger.warning(
            "Counters disagreed with the residents (%s): recounting kelurahan %s",
            error,
            villages,
        )
        stage_counts_rebuild(village_ids=villages)


def _decrease(model, columns: list[str], diff: Counter) -> None:
    table = model._meta.db_table
    decreases = sorted((key, -n) for key, n in diff.items() if n < 0)
    with connection.cursor() as cursor:
        # Sorted keys: two writers touching the same counters lock them in the same order.
        for key, n in decreases:
            # Never below zero: a counter that is missing or too small is a mismatch.
            where = " AND ".join(f"{column} = %s" for column in columns)
            cursor.execute(
                # Table and column names come from the models; values are parameters.
                f"UPDATE {table} SET count = count - %s WHERE {where} AND count >= %s",  # noqa: S608
                [n, *key, n],
            )
            if cursor.rowcount != 1:
                raise StageCountMismatch(f"{table} {key} cannot drop by {n}")


@transaction.atomic
def stage_counts_rebuild(
    *,
    village_ids: list[int] | None = None,
    timed: Callable[[str], AbstractContextManager] | None = None,
) -> int:
    """Recount every counter (of these kelurahan) from the residents table; returns how
    many kelurahan × stage × semester counters there are. `timed(step)` times each step
    (benchmarks)."""
    timed = timed or (lambda _step: nullcontext())
    stage_counts = StageCount.objects.all()
    breakdown_counts = BreakdownCount.objects.all()
    residents = Resident.objects.filter(COUNTED)
    if village_ids is not None:
        stage_counts = stage_counts.filter(village_id__in=village_ids)
        breakdown_counts = breakdown_counts.filter(village_id__in=village_ids)
        residents = residents.filter(village_id__in=village_ids)
    with timed("counters: old rows deleted"):
        stage_counts.delete()
        breakdown_counts.delete()
    stage_rows: Counter = Counter()
    breakdown_rows: Counter = Counter()
    with timed("counters: residents grouped (one scan)"):
        grouped = _grouped(residents)
    for village_id, stage, semester, dimension, value, n in grouped:
        key = (village_id, stage, int(semester))
        if dimension:
            breakdown_rows[(*key, dimension, value)] += int(n)
        else:
            stage_rows[key] += int(n)
    with timed("counters: rows inserted"):
        _insert(StageCount, STAGE_KEY, stage_rows.items())
        _insert(BreakdownCount, BREAKDOWN_KEY, breakdown_rows.items())
    _counts_changed(village_ids)
    return len(stage_rows)


def _insert(model, columns: list[str], counts: Iterable) -> None:
    """A rebuild's counter rows, batch by batch (each batch a big statement of its own)."""
    with connection.cursor() as cursor:
        for sql, params in _insert_statements(model, columns, counts):
            cursor.execute(sql, params)


def _insert_statements(
    model, columns: list[str], counts: Iterable, *, add_to_existing: bool = False
) -> list[tuple[str, list]]:
    """Counter rows ((key, count) pairs, key in `columns` order) as multi-row INSERTs, as
    (SQL, parameters), as many rows a statement as the database takes parameters: one
    statement for a write's few counters, batches for the tens of thousands of a rebuild
    (where bulk_create would make and prepare a model instance for each).
    add_to_existing: a counter already there grows by the count (ON CONFLICT ... DO
    UPDATE)."""
    fields = [model._meta.get_field(name) for name in [*columns, "count"]]
    rows = [(*key, n) for key, n in counts]
    if not rows:
        return []
    # SQLite has a limit on parameters a statement; PostgreSQL none, so 5,000 rows.
    size = min(connection.ops.bulk_batch_size(fields, rows) or 1, 5000)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(field.column) for field in fields)
    key_names = ", ".join(quote(field.column) for field in fields[:-1])
    on_conflict = (
        f" ON CONFLICT ({key_names}) DO UPDATE SET count = {table}.count + excluded.count"
        if add_to_existing
        else ""
    )
    statements = []
    for start in range(0, len(rows), size):
        batch = rows[start : start + size]
        statements.append(
            (
                # Table and column names come from the model; values are parameters.
                f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608
                + ", ".join([row] * len(batch))
                + on_conflict,
                [value for values in batch for value in values],
            )
        )
    return statements


def _execute(statements: list[tuple[str, list]]) -> None:
    """A write's few statements: on PostgreSQL in one round trip (psycopg2 sends them as
    one query string, run in the open transaction); elsewhere one after the other."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(statements) > 1:
            cursor.execute(
                "; ".join(sql for sql, _params in statements),
                [value for _sql, params in statements for value in params],
            )
            return
        for sql, params in statements:
            cursor.execute(sql, params)


# Each breakdown dimension and the column of the unnested residents it is read from.
_ROLL_UP = [
    (Dimension.GENDER.value, "gender"),
    (Dimension.AGE.value, "band"),
    (Dimension.AGENCY.value, "agency"),
    (Dimension.CATEGORY.value, "trained_category"),
    (Dimension.HEARD.value, "heard_via"),
]


def _grouped(residents: QuerySet) -> list[tuple]:
    """(village id, stage, semester index, dimension, value, n) of these residents: per
    kelurahan, stage and semester (dimension "") and per breakdown dimension and value.

    One scan of the residents: each row carries every stage's semester and age band
    (the rules above, as SQL), and is unnested into one row per stage reached. PostgreSQL
    then sums all groupings in one pass (GROUPING SETS), without JIT: compiling the wide
    expressions costs seconds and saves nothing on a scan this simple. Other databases
    (SQLite: tests, small installs) sum each grouping of the unnested rows in turn.
    """
    stages = list(STAGE_DATE_FIELDS.items())
    ages, semesters, bands = {}, {}, {}
    for n, (_stage, field_name) in enumerate(stages):
        band, age = age_band_sql(field_name, age_alias=f"age_{n}")
        reached = Q(**{f"{field_name}__isnull": False})  # else NULL, not worked out
        ages[f"age_{n}"] = age
        semesters[f"semester_{n}"] = Case(
            When(reached, then=semester_index_sql(field_name)),
            output_field=IntegerField(),
        )
        bands[f"band_{n}"] = Case(When(reached, then=band), output_field=CharField())
    rows = (
        residents.annotate(**ages)
        .annotate(
            **semesters,
            **bands,
            agency=Coalesce(
                Cast("trained_agency_id", CharField()),
                Value(""),
                output_field=CharField(),
            ),
        )
        .values(
            "village_id",
            "gender",
            "agency",
            "trained_category",
            "heard_via",
            *semesters,
            *bands,
        )
        .order_by()
    )
    sql, params = rows.query.sql_with_params()
    stage_names = [stage.value for stage, _field in stages]
    if connection.vendor == "postgresql":
        return _grouped_in_one_pass(sql, [*params], stage_names)
    return _grouped_in_turn(sql, [*params], stage_names)


# Table and column names below are the models' and the queries' own aliases, not input.


def _grouped_in_one_pass(sql: str, params: list, stages: list[str]) -> list[tuple]:
    columns = [column for _dimension, column in _ROLL_UP]
    key = "village_id, stage, semester"
    per_stage = ", ".join(
        f"(%s, r.semester_{n}, r.band_{n})" for n in range(len(stages))
    )
    sets = ", ".join([f"({key})", *(f"({key}, {column})" for column in columns)])
    query = (
        f"SELECT {key}, GROUPING({', '.join(columns)}), {', '.join(columns)}, COUNT(*)"  # noqa: S608
        f" FROM ({sql}) AS r"
        f" CROSS JOIN LATERAL (VALUES {per_stage}) AS s (stage, semester, band)"
        f" WHERE s.semester IS NOT NULL GROUP BY GROUPING SETS ({sets})"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit')")
        jit = cursor.fetchone()[0]
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(query, [*params, *stages])
        found = cursor.fetchall()
        cursor.execute("SELECT set_config('jit', %s, true)", [jit])
    # GROUPING() has a bit per column, the first column's highest, set where the column
    # is left out: all set for the headline, all but one for a breakdown.
    left_out = {
        (1 << len(columns)) - 1 - (1 << (len(columns) - 1 - n)): n
        for n in range(len(columns))
    }
    grouped = []
    for village_id, stage, semester, grouping, *values, n in found:
        if grouping in left_out:
            index = left_out[grouping]
            dimension, value = _ROLL_UP[index][0], values[index]
        else:
            dimension, value = "", ""
        grouped.append((village_id, stage, semester, dimension, value, n))
    return grouped


def _grouped_in_turn(sql: str, params: list, stages: list[str]) -> list[tuple]:
    columns = [column for _dimension, column in _ROLL_UP if column != "band"]
    unnested = " UNION ALL ".join(
        f"SELECT village_id, %s AS stage, semester_{n} AS semester,"  # noqa: S608
        f" band_{n} AS band, {', '.join(columns)} FROM r"
        f" WHERE semester_{n} IS NOT NULL"
        for n in range(len(stages))
    )
    params += stages
    parts = [
        "SELECT village_id, stage, semester, '', '', COUNT(*) FROM s"
        " GROUP BY village_id, stage, semester"
    ]
    for dimension, column in _ROLL_UP:
        parts.append(
            f"SELECT village_id, stage, semester, %s, {column}, COUNT(*) FROM s"  # noqa: S608
            f" GROUP BY village_id, stage, semester, {column}"
        )
        params.append(dimension)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH r AS ({sql}), s AS ({unnested}) " + " UNION ALL ".join(parts),
            params,
        )
        return cursor.fetchall()


def stage_counts_differences(*, village_ids: list[int] | None = None) -> list[str]:
    """Every counter that differs from a recount, as lines for an operator (nothing changes)."""
    with transaction.atomic():
        stored = _snapshot(village_ids)
        stage_counts_rebuild(village_ids=village_ids)
        recounted = _snapshot(village_ids)
        transaction.set_rollback(True)
    return [
        f"{key}: tersimpan {stored.get(key, 0)}, hitung ulang {recounted.get(key, 0)}"
        for key in sorted(set(stored) | set(recounted), key=str)
        if stored.get(key, 0) != recounted.get(key, 0)
    ]


def _snapshot(village_ids) -> dict:
    stage_counts = StageCount.objects.all()
    breakdown_counts = BreakdownCount.objects.all()
    if village_ids is not None:
        stage_counts = stage_counts.filter(village_id__in=village_ids)
        breakdown_counts = breakdown_counts.filter(village_id__in=village_ids)
    snapshot = {
        (v, s, str(Semester.from_index(i))): n
        for v, s, i, n in stage_counts.values_list(*STAGE_KEY, "count")
    }
    snapshot |= {
        (v, s, str(Semester.from_index(i)), d, value): n
        for v, s, i, d, value, n in breakdown_counts.values_list(
            *BREAKDOWN_KEY, "count"
        )
    }
    return {key: n for key, n in snapshot.items() if n}
