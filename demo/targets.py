"""Demo target periods: 2023-S1 … 2027-S2 for every kota.

The city's real figure is 200,000 residents per kecamatan over five years. A demo of a few
thousand residents against it shows every kecamatan at 0.2 % and "jauh tertinggal", a
dashboard that teaches nothing. So the seeded kota gets targets scaled to the demo: what
puts it a little behind its pace today (about 90 %), with its kecamatan spread around that
(the demo's kelurahan differ in size); never more than the real figure. The other kota keep
the real figure (they have no demo residents, and say so).
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from demo.bulk import DEMO_START
from jakpreneur.semesters import Semester
from reports.models import DEFAULT_DISTRICT_TOTAL, TargetPeriod
from reports.services import period_create
from wilayah.models import City

SEMESTERS = 10
DEMO_PACE = 0.9  # the seeded kota's registrations ÷ its target to date, on average


def demo_district_total(
    *, residents: int, districts: int, today: date, start: Semester
) -> int:
    """The five-year target per kecamatan that `residents` meet at DEMO_PACE today."""
    elapsed = min(SEMESTERS, max(1, Semester.of(today).index - start.index + 1))
    per_district = residents / max(1, districts)
    total = per_district * SEMESTERS / elapsed / DEMO_PACE
    return max(SEMESTERS, min(DEFAULT_DISTRICT_TOTAL, round(total, -1)))


@transaction.atomic
def demo_periods(
    *, residents: int = 0, city_code: str = "31.73", today: date | None = None
) -> int:
    """A five-year period for every kota that has none yet; returns how many were made.

    The kota `city_code`, seeded with `residents` demo residents, gets targets scaled to
    them (module docstring); every other kota the real figure.
    """
    start = Semester.of(DEMO_START)
    today = today or timezone.localdate()
    created = 0
    for city in City.objects.order_by("code"):
        if TargetPeriod.objects.filter(city=city).exists():
            continue
        total = DEFAULT_DISTRICT_TOTAL
        if city.code == city_code and residents > 0:
            total = demo_district_total(
                residents=residents,
                districts=city.districts.count(),
                today=today,
                start=start,
            )
        period_create(
            city=city,
            name=f"Jakpreneur {start.year}–{start.year + 4} {city.short_name}",
            start_semester=str(start),
            semesters=SEMESTERS,
            default_total=total,
        )
        created += 1
    return created
