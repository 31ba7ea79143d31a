"""The counting rules written as SQL agree with their Python form on every date.

participants.counting counts a write in Python (Semester.of, age_band) and recounts in
bulk with SQL (semester_index_sql, age_band_sql); the two must never disagree.
"""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from jakpreneur.semesters import Semester, semester_index_sql
from participants.counting import age_band, age_band_sql
from participants.models import Resident
from participants.tests.factories import ResidentFactory
from wilayah.models import City
from wilayah.services import wilayah_import, wilayah_read_csv

births = st.dates(min_value=date(1930, 1, 1), max_value=date(2010, 12, 31))
days = st.dates(min_value=date(2015, 1, 1), max_value=date(2040, 12, 31))


class CountingSqlTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        if not City.objects.exists():
            wilayah_import(rows=wilayah_read_csv())

    @settings(max_examples=60, deadline=None)
    @given(born=births, day=days)
    def test_semester_and_age_band_agree_in_sql_and_python(self, born, day):
        if day < born:
            day, born = born, day
        resident = ResidentFactory(birth_date=born, registered_on=day)
        band, age = age_band_sql("registered_on")

        row = (
            Resident.objects.filter(pk=resident.pk)
            .annotate(index=semester_index_sql("registered_on"), age=age)
            .annotate(band=band)
            .values("index", "band")
            .get()
        )

        assert row["index"] == Semester.of(day).index
        assert row["band"] == age_band(birth_date=born, day=day)
