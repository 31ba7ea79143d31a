from datetime import UTC, date, datetime, timedelta

from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from jakpreneur.semesters import Semester, semesters_between


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_every_date_falls_in_exactly_one_semester(day):
    semester = Semester.of(day)

    assert semester.start <= day <= semester.end
    assert Semester.of(semester.start) == semester == Semester.of(semester.end)
    assert Semester.of(semester.end + timedelta(days=1)) == semester + 1
    assert Semester.of(semester.start - timedelta(days=1)) == semester + -1


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=2000 * 2, max_value=2200 * 2))
def test_index_text_and_arithmetic_round_trip(index):
    semester = Semester.from_index(index)

    assert Semester.parse(str(semester)) == semester
    assert semester.index == index
    assert (semester + 3) - semester == 3


def test_boundaries():
    assert str(Semester.of(date(2024, 6, 30))) == "2024-S1"
    assert str(Semester.of(date(2024, 7, 1))) == "2024-S2"
    assert str(Semester.of(date(2024, 12, 31))) == "2024-S2"
    assert str(Semester.of(date(2025, 1, 1))) == "2025-S1"


def test_boundaries_are_jakarta_calendar_dates():
    # 30 June 17:30 UTC is already 1 July 00:30 in Jakarta: semester 2.
    assert (
        str(Semester.of(timezone.localdate(datetime(2024, 6, 30, 17, 30, tzinfo=UTC))))
        == "2024-S2"
    )
    assert (
        str(Semester.of(timezone.localdate(datetime(2024, 6, 30, 16, 59, tzinfo=UTC))))
        == "2024-S1"
    )
    # 31 December 17:00 UTC is New Year in Jakarta.
    assert (
        str(Semester.of(timezone.localdate(datetime(2024, 12, 31, 17, 0, tzinfo=UTC))))
        == "2025-S1"
    )


def test_semesters_between_and_bad_text():
    assert [
        str(s) for s in semesters_between(Semester(2023, 2), Semester(2024, 2))
    ] == [
        "2023-S2",
        "2024-S1",
        "2024-S2",
    ]
    for text in ["2024-S3", "2024S1", "24-S1", ""]:
        try:
            Semester.parse(text)
        except ValueError:
            continue
        raise AssertionError(text)
