"""Admin pieces that keep changelists fast on tables with millions of rows."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

# Below this many rows an exact COUNT(*) is cheap enough.
ESTIMATE_ABOVE = 100_000


class LargeTablePaginator(Paginator):
    """Unfiltered lists on PostgreSQL use the planner's row estimate instead of COUNT(*)."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is not None and not query.where and not query.distinct:
            connection = connections[queryset.db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                        [queryset.model._meta.db_table],
                    )
                    row = cursor.fetchone()
                if row and row[0] > ESTIMATE_ABOVE:
                    return int(row[0])
        return super().count


class FastModelAdmin(admin.ModelAdmin):
    """Base admin: no second full COUNT(*), estimated counts on big tables."""

    show_full_result_count = False
    paginator = LargeTablePaginator
    list_per_page = 50


class ReadOnlyAdminMixin:
    """Rows the app writes itself (logs, counters): admins read them, nobody edits them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
