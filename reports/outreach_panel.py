"""The dashboard's outreach panel (issue 13): per kecamatan of the kota in one semester,
the activities held and people reached (outreach.selectors, the outreach table), the
registrations that name outreach as their source (the counters, reports.breakdowns), and
flags for a kecamatan with no outreach at all and for Sudin without a field lead there
(the coverage matrix's gaps, as the dashboard computes them). Nothing reads the residents.
"""

from dataclasses import dataclass, field
from datetime import date

from jakpreneur.semesters import Semester
from outreach.selectors import (
    OutreachHeld,
    activities_of_district,
    outreach_by_district,
)
from wilayah.models import City, District

from .breakdowns import outreach_registrations


@dataclass
class OutreachRow:
    district: District
    activities: int
    people_reached: int
    registrations: int  # registrations of the semester naming outreach as their source
    missing_leads: list[str] = field(default_factory=list)  # Sudin short names

    @property
    def no_outreach(self) -> bool:
        return not self.activities


@dataclass
class OutreachPanel:
    semester: Semester
    rows: list[OutreachRow]

    @property
    def activities(self) -> int:
        return sum(r.activities for r in self.rows)

    @property
    def people_reached(self) -> int:
        return sum(r.people_reached for r in self.rows)

    @property
    def registrations(self) -> int:
        return sum(r.registrations for r in self.rows)

    @property
    def without_outreach(self) -> list[OutreachRow]:
        return [r for r in self.rows if r.no_outreach]


def outreach_panel(
    *,
    city: City,
    districts: list[District],
    semester: Semester,
    gaps: dict[str, list[str]],
) -> OutreachPanel:
    """The panel's rows, kecamatan by code; gaps: kecamatan code -> Sudin without lead."""
    held = outreach_by_district(city=city, semester=semester)
    named = outreach_registrations(districts=districts, semester=semester)
    rows = []
    for district in sorted(districts, key=lambda d: d.code):
        figures = held.get(district.pk, OutreachHeld())
        rows.append(
            OutreachRow(
                district=district,
                activities=figures.activities,
                people_reached=figures.people_reached,
                registrations=named.get(district.pk, 0),
                missing_leads=gaps.get(district.code, []),
            )
        )
    return OutreachPanel(semester=semester, rows=rows)


def outreach_semester(*, last: Semester, today: date) -> Semester:
    """The semester the panel shows: the last one the user looks at, at most today's."""
    return min(last, Semester.of(today))


def outreach_of_district(*, district: District, last: Semester, today: date) -> dict:
    """A kecamatan drill-down's list of activities (template context)."""
    semester = outreach_semester(last=last, today=today)
    return {
        "outreach_semester": semester,
        "outreach_activities": activities_of_district(
            district=district, semester=semester
        ),
    }
