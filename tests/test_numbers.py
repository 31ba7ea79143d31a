"""Numbers read from requests: ASCII digits only, bounded; semesters likewise."""

import pytest
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from jakpreneur.numbers import MAX_ID, positive_int
from jakpreneur.pagination import MAX_PAGE, page_of
from jakpreneur.semesters import Semester


@pytest.mark.parametrize(
    ("text", "maximum", "expected"),
    [
        ("1", MAX_ID, 1),
        ("007", MAX_ID, 7),
        ("4000", 4000, 4000),
        ("4001", 4000, None),
        ("0", MAX_ID, None),
        ("-1", MAX_ID, None),
        ("+1", MAX_ID, None),
        (" 1", MAX_ID, None),
        ("1\n", MAX_ID, None),
        ("1.0", MAX_ID, None),
        ("1e3", MAX_ID, None),
        ("²", MAX_ID, None),
        ("٣", MAX_ID, None),
        ("１２", MAX_ID, None),
        ("99999999999999999999", MAX_ID, None),
        (str(MAX_ID), MAX_ID, MAX_ID),
        ("", MAX_ID, None),
        (None, MAX_ID, None),
    ],
)
def test_positive_int(text, maximum, expected):
    assert positive_int(text, maximum=maximum) == expected


@given(st.text(), st.integers(min_value=1, max_value=MAX_ID))
def test_positive_int_is_none_or_the_ascii_number_within_bounds(text, maximum):
    number = positive_int(text, maximum=maximum)

    if number is not None:
        assert 1 <= number <= maximum
        assert text.isascii() and text.isdigit()
        assert int(text) == number


@given(st.integers(min_value=1, max_value=MAX_ID))
def test_positive_int_reads_every_number_it_may(number):
    assert positive_int(str(number)) == number


@pytest.mark.parametrize(
    ("page", "expected"),
    [("2", 2), ("²", 1), ("99999999999999999999", 1), ("4001", 1), ("0", 1), ("", 1)],
)
def test_page_numbers_are_ascii_and_capped(page, expected):
    request = RequestFactory().get("/", {"page": page})

    assert page_of(request, list(range(100)), per_page=10).number == expected
    assert MAX_PAGE == 4000


@pytest.mark.parametrize(
    "text", ["٢٠٢٤-S1", "２０２４-S1", "2024-S3", "0000-S1", "2024-S1x"]
)
def test_semesters_are_written_in_ascii_digits(text):
    with pytest.raises(ValueError):
        Semester.parse(text)


@given(st.text(max_size=12))
def test_a_parsed_semester_is_what_was_written(text):
    try:
        semester = Semester.parse(text)
    except ValueError:
        return
    assert str(semester) == text.strip()
