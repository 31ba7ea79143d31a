"""Bulk-load plumbing shared by the demo loaders: rows past the ORM, fast on PostgreSQL.

Rows are tuples of str, int and bool, with `null` for NULL. PostgreSQL takes them through
COPY, other databases through executemany, always inside the caller's transaction. Nothing
here runs Model.save or the services' bookkeeping: a loader writes what save would add, and
`counted_rebuild` recomputes what the services keep (stage dates, counters) from the rows.

A loader locks its tables (`lock`), reserves ids (`reserve_ids`) so that rows can point at
each other without reading anything back, and inside `unindexed` `write`s the rows and calls
`counted_rebuild`.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from participants.counting import stage_counts_rebuild
from participants.stages import resident_stages_rebuild
from wilayah.models import City, Village

DEMO_START = date(2023, 1, 1)  # the demo's calendar begins with 2023-S1
CHUNK = 50_000  # rows per executemany batch (PostgreSQL streams one COPY)
# From this many rows written (inserted or rewritten) on, PostgreSQL writes to a table
# without its indexes and constraints, and builds them afresh after.
REBUILD_INDEXES_FROM = 100_000


class Phases(dict):
    """Seconds spent per named part of a load, for the benchmarks (`with phases("copy"):`);
    a part timed twice adds up. `details` holds the seconds of smaller steps inside the
    parts (`with phases.detail("..."):`), apart, so that the parts still add up."""

    def __init__(self) -> None:
        super().__init__()
        self.details: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        with _timed(self, name):
            yield

    @contextmanager
    def detail(self, name: str) -> Iterator[None]:
        with _timed(self.details, name):
            yield


@contextmanager
def _timed(seconds: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started


def kota_and_today(*, city_code: str, today: date | None) -> tuple[City, date]:
    """The kota a loader fills, and the day it takes as today (default the real one)."""
    today = today or timezone.localdate()
    if today < DEMO_START:
        raise ValueError(f"today must be on or after {DEMO_START}, not {today}")
    return City.objects.get(code=city_code), today


def postgres() -> bool:
    return connection.vendor == "postgresql"


def null() -> str | None:
    """What a NULL is in a row: COPY's \\N on PostgreSQL, None for executemany."""
    return r"\N" if postgres() else None


def lock(cursor, *models: type[Model]) -> None:
    """Keep other writers out until commit (PostgreSQL): two loaders at once must not both
    find the kota empty, nor be given the same ids."""
    if postgres():
        for model in models:
            cursor.execute(
                f"LOCK TABLE {connection.ops.quote_name(model._meta.db_table)} "
                "IN SHARE ROW EXCLUSIVE MODE"
            )


def reserve_ids(cursor, model: type[Model], *, count: int) -> int:
    """The first of `count` ids of the model's table nobody else will be given."""
    table = model._meta.db_table
    cursor.execute(
        f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}"
    )
    highest = cursor.fetchone()[0]
    if postgres():
        # The table lock keeps other inserts (and so other nextval calls) out until commit.
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [sequence])
        first = max(cursor.fetchone()[0], highest + 1)
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + max(count, 1) - 1])
        return first
    if connection.vendor == "sqlite":
        # AUTOINCREMENT never reuses ids, even of deleted rows.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        highest = max(highest, row[0] if row else 0)
    return highest + 1


def packed(row: tuple) -> str | tuple:
    """A row kept in memory until it is written, as small as it can be: its COPY text on
    PostgreSQL (a third of the tuple's size), the tuple elsewhere."""
    return "\t".join(map(str, row)) if postgres() else row


def joined(row: str | tuple, tail: tuple) -> str | tuple:
    """A packed row with more fields after its own, ready for `write`."""
    if isinstance(row, str):
        return "\t".join([row, *map(str, tail)])
    return row + tail


def write(cursor, model: type[Model], names: list[str], rows: Iterable) -> None:
    """Insert the rows (fields `names`, in order; tuples, or `packed`): one streamed COPY on
    PostgreSQL, which inserts while the rows are still being made; executemany in batches
    elsewhere."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    if postgres():
        cursor.cursor.copy_expert(
            f"COPY {table} ({columns}) FROM STDIN", _CopyText(rows), size=1 << 16
        )
        return
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"
    rows = iter(rows)
    while batch := list(itertools.islice(rows, CHUNK)):
        cursor.executemany(sql, batch)


class _CopyText:
    """A read-only file of COPY text lines made on demand from row tuples.

    Rows are tuples of str, int and bool only (a NULL is already COPY's \\N), or a `packed`
    row's text: PostgreSQL reads Python's True/False as booleans. Text must hold no tab,
    newline or backslash: the rows go through unescaped.
    """

    def __init__(self, rows: Iterable[tuple]) -> None:
        self.rows = iter(rows)

    def read(self, size: int = -1) -> str:
        lines: list[str] = []
        length = 0
        for row in self.rows:
            line = row if isinstance(row, str) else "\t".join(map(str, row))
            lines.append(line)
            length += len(line) + 1
            if 0 <= size <= length:
                break
        return "\n".join(lines) + "\n" if lines else ""


@contextmanager
def unindexed(
    cursor,
    rows: Mapping[type[Model], int],
    *,
    analyzed: Iterable[type[Model]] = (),
    phases: Phases | None = None,
) -> Iterator[None]:
    """Write to these tables (about this many rows each, inserted or rewritten) without the
    upkeep that slows a bulk load down, and put everything back after.

    On PostgreSQL a table that gets REBUILD_INDEXES_FROM row writes or more loses its indexes,
    unique constraints (unless a foreign key relies on one) and foreign keys for the block:
    building an index once is several times faster than updating it a row at a time (the
    trigram index most of all), and adding a foreign key checks all rows in one join, where
    a per-row check would also lock every row it points at. What is put back checks every
    row, so nothing goes unchecked; primary keys and check constraints stay. DDL is
    transactional: if the load fails, all of it comes back with the rollback. Until commit
    other sessions wait for these tables. Every table is analyzed after, and the tables in
    `analyzed` (written, but too few rows to lose their indexes), or the first queries plan
    for stale numbers until autovacuum comes by.
    """
    if not postgres():
        yield
        return
    phases = phases if phases is not None else Phases()
    tables = list(dict.fromkeys(m._meta.db_table for m in [*rows, *analyzed]))
    big = [
        model._meta.db_table for model, n in rows.items() if n >= REBUILD_INDEXES_FROM
    ]
    statements: list[str] = []
    deferred: list[str] = []
    if big:
        # Index builds, and the joins and sorts of the rebuild over the whole load, in
        # memory rather than in many batches on disk (this transaction only).
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        foreign_keys = {table: _foreign_keys(cursor, table) for table in big}
        deferred = _checks_now(
            cursor,
            big
            + [referenced for keys in foreign_keys.values() for *_, referenced in keys],
        )
        for table in big:
            statements += _drop_indexes(cursor, table)
        for table, keys in foreign_keys.items():
            statements += _drop_foreign_keys(cursor, table, keys)
    yield
    with phases("indexes and constraints"):
        for statement in statements:
            with phases.detail(_built(statement)):
                cursor.execute(statement)
    if deferred:
        # Back to Django's INITIALLY DEFERRED for the rest of a caller's transaction.
        cursor.execute(f"SET CONSTRAINTS {', '.join(deferred)} DEFERRED")
    with phases("analyze"):
        for table in tables:
            with phases.detail(f"analyze {table}"):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _built(statement: str) -> str:
    """What a CREATE INDEX or ADD CONSTRAINT statement builds, in a few words."""
    words = statement.replace('"', "").split()
    if words[0] == "ALTER":  # ALTER TABLE t ADD CONSTRAINT name ...
        return f"constraint {words[5]}"
    return f"index {words[words.index('INDEX') + 1]}"


def _foreign_keys(cursor, table: str) -> list[tuple[str, str, str]]:
    """The table's foreign keys: name, definition, referenced table."""
    cursor.execute(
        """
        SELECT conname, pg_get_constraintdef(oid), confrelid::regclass::text
        FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'
        ORDER BY conname
        """,
        [table],
    )
    return cursor.fetchall()


def _checks_now(cursor, tables: list[str]) -> list[str]:
    """Run the deferred foreign-key checks waiting on these tables now, and at once from
    here on: ALTER TABLE and CREATE INDEX refuse while checks wait (rows a caller wrote
    earlier in its transaction, or rows the load writes). Returns their quoted names.
    """
    cursor.execute(
        """
        SELECT DISTINCT conname FROM pg_constraint
        WHERE contype = 'f' AND condeferrable AND condeferred
          AND (conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[]))
        ORDER BY conname
        """,
        [tables, tables],
    )
    names = [connection.ops.quote_name(row[0]) for row in cursor.fetchall()]
    if names:
        cursor.execute(f"SET CONSTRAINTS {', '.join(names)} IMMEDIATE")
    return names


def _drop_indexes(cursor, table: str) -> list[str]:
    """Drop the table's indexes but its primary key, unique constraints included (unless a
    foreign key relies on one); return the statements that put them back."""
    quote = connection.ops.quote_name
    cursor.execute(
        """
        SELECT ix.relname, pg_get_indexdef(ix.oid), con.conname, pg_get_constraintdef(con.oid)
        FROM pg_index
        JOIN pg_class ix ON ix.oid = pg_index.indexrelid
        LEFT JOIN pg_constraint con
          ON con.conindid = pg_index.indexrelid AND con.conrelid = pg_index.indrelid
        WHERE pg_index.indrelid = %s::regclass
          AND NOT pg_index.indisprimary
          AND (con.oid IS NULL OR con.contype = 'u')
          AND NOT EXISTS (
            SELECT 1 FROM pg_constraint fk
            WHERE fk.contype = 'f' AND fk.conindid = pg_index.indexrelid
          )
        ORDER BY ix.relname
        """,
        [table],
    )
    statements = []
    for index, index_definition, constraint, definition in cursor.fetchall():
        if constraint:
            cursor.execute(
                f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(constraint)}"
            )
            statements.append(
                f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(constraint)} "
                f"{definition}"
            )
        else:
            cursor.execute(f"DROP INDEX {quote(index)}")
            statements.append(index_definition)
    return statements


def _drop_foreign_keys(
    cursor, table: str, foreign_keys: list[tuple[str, str, str]]
) -> list[str]:
    """Drop these foreign keys of the table; return the statements that put them back."""
    quote = connection.ops.quote_name
    for name, _definition, _referenced in foreign_keys:
        cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    return [
        f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
        for name, definition, _referenced in foreign_keys
    ]


def counted_rebuild(
    *,
    cities: list[City],
    restage: list[City] | None = None,
    phases: Phases | None = None,
) -> int:
    """What the services keep per write, rebuilt once for these kota after a bulk load: the
    stage dates of the residents of the kota in `restage` (default all; participants.stages,
    the one definition), then the kota's counters from those dates. Returns how many
    counters the kota have.

    A kota whose residents were all written in this load with their final stage dates
    (demo.residents, demo.programs) is left out of `restage`: its residents are then
    written once, not written and rewritten. Called inside `unindexed`, so that rewriting
    the residents' rows does not also update every index on them a row at a time.
    """
    phases = phases if phases is not None else Phases()
    restage = cities if restage is None else restage
    if restage:
        with phases("stage dates (resident_stages_rebuild)"):
            resident_stages_rebuild(village_ids=_village_ids(restage))
    with phases("counters (stage_counts_rebuild)"):
        return stage_counts_rebuild(
            village_ids=_village_ids(cities), timed=phases.detail
        )


def _village_ids(cities: list[City]) -> list[int]:
    return list(
        Village.objects.filter(district__city__in=cities).values_list("pk", flat=True)
    )


# --- Making rows -------------------------------------------------------------------------


def bag(pairs: Iterable[tuple[object, int]]) -> list:
    """Each value repeated by its whole-number weight, for weighted picks by index."""
    return [value for value, weight in pairs for _copy in range(weight)]


class Days:
    """Day ordinals from `first` to `last` as ISO text, and office-hours timestamps.

    Hot loops look dates up in `iso` (index: ordinal - first) instead of formatting them.
    """

    def __init__(self, *, first: int, last: int, today: date) -> None:
        self.first = first
        self.today = today.toordinal()
        self.iso = [
            date.fromordinal(ordinal).isoformat() for ordinal in range(first, last + 1)
        ]
        # Office hours, 08:00-16:59 WIB, as UTC clock times: "HH:MM" + ":SS".
        self._hours_minutes = [
            f"{h:02d}:{m:02d}" for h in range(1, 10) for m in range(60)
        ]
        self._seconds = [f":{s:02d}" for s in range(60)]
        self._now = timezone.now().astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")

    def timestamp(self, ordinal: int, draw: float) -> str:
        """A UTC timestamp in that day's office hours, not after now; `draw` in [0, 1)."""
        second = int(draw * 32_400)
        text = (
            f"{self.iso[ordinal - self.first]} "
            f"{self._hours_minutes[second // 60]}{self._seconds[second % 60]}"
        )
        return min(text, self._now) if ordinal >= self.today else text


# --- Reporting ---------------------------------------------------------------------------


@dataclass
class LoadResult:
    """What a loader reports: how long it took, and whether the kota was already filled."""

    seconds: float = 0.0
    city_name: str = ""
    already_seeded: bool = False  # the kota had rows already, so nothing was added
    counters: int = 0  # the kota's stage counters after the load (counted_rebuild)
    started: float = field(default_factory=time.perf_counter, repr=False, compare=False)

    def done(self):
        """This result, timed from when it was made."""
        self.seconds = time.perf_counter() - self.started
        return self

    def _summary(self, already_seeded: str, added: str, **counts: int) -> str:
        """One Indonesian line: `already_seeded` (takes %(city)s) or `added` (takes the
        counts, written 12.345, and %(seconds)s)."""
        if self.already_seeded:
            return already_seeded % {"city": self.city_name}
        return added % {
            **{name: thousands(number) for name, number in counts.items()},
            "seconds": f"{self.seconds:.1f}".replace(".", ","),
        }


def thousands(number: int) -> str:
    """12.345, as Indonesian writes it."""
    return f"{number:,}".replace(",", ".")
