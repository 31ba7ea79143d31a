"""Inserting a chunk's new rows past the ORM: PostgreSQL COPY, bulk_create elsewhere.

The rows were checked by the import's rules before they get here; the database's own
constraints (unique NIK, the 16-digit checks, the foreign keys) still guard every row, and a
violation raises IntegrityError as an INSERT would, so the caller can fall back to one row
at a time to tell which row it was. Model.save() does not run: what it would add (a
resident's name key, the change history) the caller writes itself, as it did around
bulk_create.
"""

from datetime import date, datetime
from io import StringIO
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone


def rows_insert(model: type[Model], rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows given as {attname: value} and return their new ids, in order.

    A field a row leaves out takes the model's default (auto_now / auto_now_add: now), and
    the row dict is completed with it, so the caller reads back what was written.
    """
    if not rows:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            default = now
        elif f.has_default() and callable(f.default):
            for row in rows:
                if f.attname not in row:
                    row[f.attname] = f.get_default()
            continue
        else:
            default = f.get_default()
        for row in rows:
            row.setdefault(f.attname, default)
    if connection.vendor != "postgresql":
        objects = model.objects.bulk_create([model(**row) for row in rows])
        return [obj.pk for obj in objects]
    quote = connection.ops.quote_name
    table = model._meta.db_table
    names = [f.attname for f in fields]
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        # Ids from the table's own sequence: unique however many writers there are.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
            "FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        text = StringIO()
        text.writelines(
            f"{pk}\t"
            + "\t".join(
                [
                    # Plain text inline (printable: no tab, no line break), the rest below.
                    value
                    if value.__class__ is str
                    and value.isprintable()
                    and "\\" not in value
                    else _copy_value(value)
                    for value in map(row.__getitem__, names)
                ]
            )
            + "\n"
            for pk, row in zip(ids, rows, strict=True)
        )
        text.seek(0)
        with connection.wrap_database_errors:  # IntegrityError as Django's own
            cursor.cursor.copy_expert(
                f"COPY {quote(table)} ({quote(model._meta.pk.column)}, {columns}) "  # noqa: S608 (names from the model)
                "FROM STDIN",
                text,
            )
    return ids


def _copy_value(value: Any) -> str:
    """One value in COPY's text format."""
    if value.__class__ is str:  # most values: a plain one goes as it is
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        return value
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):  # a subclass of str (a lazy or safe string)
        return _copy_value(str(value))
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)
