"""Paging big lists without COUNT(*): fetch one row more than a page to know if more follow."""

from dataclasses import dataclass

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


def page_of(request, queryset, *, per_page: int = PER_PAGE) -> Page:
    """The ?page=N slice of queryset (1 when missing, not a number or past MAX_PAGE)."""
    number = positive_int(request.GET.get("page", ""), maximum=MAX_PAGE) or 1
    rows = list(queryset[(number - 1) * per_page : number * per_page + 1])
    query = request.GET.copy()
    query.pop("page", None)
    return Page(rows[:per_page], number, len(rows) > per_page, query.urlencode())
