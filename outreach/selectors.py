"""Reads of outreach activities: who sees which (accounts.access), and the figures per
kecamatan and semester the dashboard's outreach panel shows.

Everything here reads the outreach table (a few thousand rows a year) and the places,
never the residents.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from accounts.access import districts_with_outreach_visible_to, outreach_kept_by
from jakpreneur.semesters import Semester
from wilayah.models import City, District

from .models import OutreachActivity


def _in(semester: Semester) -> Q:
    return Q(held_on__gte=semester.start, held_on__lte=semester.end)


def activities_visible_to(*, user) -> QuerySet[OutreachActivity]:
    """The activities of the kecamatan a user reads, newest first."""
    return OutreachActivity.objects.select_related(
        "district", "village", "agency"
    ).filter(district__in=districts_with_outreach_visible_to(user=user))


def activities_kept_by(*, user) -> QuerySet[OutreachActivity]:
    """The activities a user may correct and delete."""
    return activities_visible_to(user=user).filter(outreach_kept_by(user))


def activities_filtered(
    *,
    user,
    semester: Semester | None = None,
    district: District | None = None,
) -> QuerySet[OutreachActivity]:
    """The list at /sosialisasi/: the user's activities, by semester and kecamatan."""
    activities = activities_visible_to(user=user)
    if semester is not None:
        activities = activities.filter(_in(semester))
    if district is not None:
        activities = activities.filter(district=district)
    return activities.order_by("-held_on", "-pk")


def activities_of_district(
    *, district: District, semester: Semester
) -> list[OutreachActivity]:
    """A kecamatan's activities of a semester, for its drill-down page."""
    return list(
        OutreachActivity.objects.select_related("district", "village", "agency")
        .filter(_in(semester), district=district)
        .order_by("held_on", "pk")
    )


@dataclass(frozen=True)
class OutreachHeld:
    activities: int = 0
    people_reached: int = 0


def outreach_by_district(*, city: City, semester: Semester) -> dict[int, OutreachHeld]:
    """Activities held and people reached per kecamatan (id) of a kota in a semester;
    kecamatan without any are missing."""
    rows = (
        OutreachActivity.objects.filter(_in(semester), district__city=city)
        .values("district_id")
        .annotate(n=Count("pk"), people=Sum("people_reached"))
        .order_by()
    )
    return {
        row["district_id"]: OutreachHeld(row["n"], row["people"] or 0) for row in rows
    }
