"""Semesters: S1 = 1 January–30 June, S2 = 1 July–31 December (Asia/Jakarta dates).

The one place that says which semester a date falls in: `Semester.of` for Python and
`semester_index_sql` for the database (a test checks that the two agree on every date).
"""

import re
from dataclasses import dataclass
from datetime import date

from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import ExtractYear
from django.utils import timezone

# ASCII digits only: without re.ASCII, \d would also take other scripts' digits
# ("٢٠٢٤-S1"). The pattern's text is also the database's check constraint.
SEMESTER_PATTERN = re.compile(r"^(\d{4})-S([12])$", re.ASCII)


@dataclass(frozen=True, order=True)
class Semester:
    year: int
    half: int  # 1 or 2

    def __post_init__(self):
        if self.half not in (1, 2) or not 1 <= self.year <= 9999:
            raise ValueError(f"no such semester: {self.year}-S{self.half}")

    def __str__(self) -> str:
        return f"{self.year}-S{self.half}"

    @classmethod
    def of(cls, day: date) -> "Semester":
        """The semester a calendar date falls in."""
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def current(cls, *, today: date | None = None) -> "Semester":
        return cls.of(today or timezone.localdate())

    @classmethod
    def parse(cls, text: str) -> "Semester":
        """'2024-S1' -> Semester(2024, 1); ValueError otherwise."""
        match = SEMESTER_PATTERN.fullmatch(text.strip())
        if not match:
            raise ValueError(f"not a semester: {text!r} (expected e.g. 2024-S1)")
        return cls(int(match[1]), int(match[2]))

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    @property
    def index(self) -> int:
        """A running number: consecutive semesters differ by one."""
        return self.year * 2 + self.half - 1

    @classmethod
    def from_index(cls, index: int) -> "Semester":
        return cls(index // 2, index % 2 + 1)

    def __add__(self, semesters: int) -> "Semester":
        return Semester.from_index(self.index + semesters)

    def __sub__(self, other: "Semester") -> int:
        return self.index - other.index


def semesters_between(first: Semester, last: Semester) -> list[Semester]:
    """Every semester from first to last, both included."""
    return [first + n for n in range(last - first + 1)]


def semester_index_sql(field_name: str):
    """Semester.of(date).index of a date column, computed by the database."""
    return ExtractYear(field_name) * 2 + Case(
        When(**{f"{field_name}__month__gt": 6}, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
