"""Paging big lists without COUNT(*): fetch one row more than a page to know if more follow."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from .numbers import positive_int

PER_PAGE = 25
# Deep enough for any list a person pages through; an OFFSET beyond it only costs the database.
MAX_PAGE = 4000


@dataclass
class Page:
    rows: list
    number: int
    has_next: bool
    query: str  # the list's other query parameters, for the page links

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_of(
    request,
    queryset,
    *,
    per_page: int = PER_PAGE,
    page_ids: Callable[[QuerySet, int, int], list] | None = None,
) -> Page:
    """The ?page=N slice of queryset (1 when missing, not a number or past MAX_PAGE).
    page_ids(queryset, start, stop), when given, finds the page's ids (a list that knows
    a faster way to them than one ordered slice)."""
    number = positive_int(request.GET.get("page", ""), maximum=MAX_PAGE) or 1
    start, stop = (number - 1) * per_page, number * per_page + 1
    if isinstance(queryset, QuerySet):
        # The page's ids first, then their rows (a "deferred join"): finding and ordering
        # the page can then be answered from an index alone (the resident list's index
        # carries what a clerk filters and orders by), and only the page's own rows are
        # read, never every row of the area the filter and the order look at.
        if page_ids is None:
            ids = list(queryset.values_list("pk", flat=True)[start:stop])
        else:
            ids = page_ids(queryset, start, stop)
        found = queryset.order_by().in_bulk(ids) if ids else {}
        rows = [found[pk] for pk in ids if pk in found]
    else:
        rows = list(queryset[start:stop])
    query = request.GET.copy()
    query.pop("page", None)
    return Page(rows[:per_page], number, len(rows) > per_page, query.urlencode())
