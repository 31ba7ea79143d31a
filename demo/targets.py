"""Demo target periods: 2023-S1 … 2027-S2 for every kota."""

from django.db import transaction

from demo.bulk import DEMO_START
from jakpreneur.semesters import Semester
from reports.models import TargetPeriod
from reports.services import period_create
from wilayah.models import City


@transaction.atomic
def demo_periods() -> int:
    """A five-year period for every kota that has none yet; returns how many were made."""
    start = Semester.of(DEMO_START)
    created = 0
    for city in City.objects.order_by("code"):
        if TargetPeriod.objects.filter(city=city).exists():
            continue
        period_create(
            city=city,
            name=f"Jakpreneur {start.year}–{start.year + 4} {city.short_name}",
            start_semester=str(start),
        )
        created += 1
    return created
