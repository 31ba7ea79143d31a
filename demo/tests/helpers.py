from io import StringIO

from django.core.management import call_command
from django.db import connection

from participants.models import DERIVED_FIELDS, BreakdownCount, Resident, StageCount


def wipe(*models) -> None:
    """Empty these tables, in this order, without the ORM's per-row delete signals (history
    rows, counters)."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(
                f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}"
            )


def schema(*models) -> list[tuple[str]]:
    """The tables' indexes and constraints as PostgreSQL would recreate them."""
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s)
            UNION ALL
            SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = ANY(%s::regclass[])
            ORDER BY 1
            """,
            [tables, tables],
        )
        return cursor.fetchall()


def kept() -> tuple[list, list, list]:
    """Every resident's stage dates and every counter, as the services keep them."""
    return (
        list(Resident.objects.order_by("pk").values_list("pk", *DERIVED_FIELDS)),
        list(
            StageCount.objects.filter(count__gt=0)
            .order_by("village", "stage", "semester")
            .values_list("village", "stage", "semester", "count")
        ),
        list(
            BreakdownCount.objects.filter(count__gt=0)
            .order_by("village", "stage", "semester", "dimension", "value")
            .values_list("village", "stage", "semester", "dimension", "value", "count")
        ),
    )


def kept_after_full_rebuild() -> tuple[list, list, list]:
    """The same, recomputed from the source rows by `rebuild_counts`."""
    call_command("rebuild_counts", stdout=StringIO())
    return kept()
