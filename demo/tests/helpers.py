from django.db import connection


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
