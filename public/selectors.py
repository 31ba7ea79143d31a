"""What the public pages show, gathered from the apps below: places, open trainings and
office contacts (programs), progress against the targets (reports' own progress report,
the one the staff dashboard shows). Aggregates and official contacts only: nothing here
reads a resident, a staff account or a field lead's own phone."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from participants.models import Stage
from programs.models import Agency, FieldLead, Program
from programs.selectors import coverage_matrix, programs_taking_enrolments
from reports.selectors import (
    AreaProgress,
    ProgressReport,
    percent,
    period_for,
    progress_report_current,
)
from wilayah.models import City, District


@dataclass(frozen=True)
class SemesterRow:
    semester: str
    target: int
    registered: int  # reached Pendaftaran in this semester
    trained: int  # reached Pelatihan in this semester
    counted: int  # reached the period's stage (what the target counts)
    current: bool

    @property
    def percent(self) -> Decimal | None:
        return percent(self.counted, self.target)


@dataclass(frozen=True)
class PublicProgress:
    """One kota or kecamatan over its current target period, in aggregate numbers."""

    name: str
    stage: str  # the stage the target counts (Pendaftaran by default)
    first: str
    last: str
    total: int  # the period's target
    cumulative: int  # residents counted so far in the period
    registered: int
    trained: int
    rows: list[SemesterRow]

    @property
    def percent_of_total(self) -> Decimal | None:
        return percent(self.cumulative, self.total)

    @property
    def current(self) -> SemesterRow | None:
        return next((row for row in self.rows if row.current), None)


def _public_progress(report: ProgressReport, area: AreaProgress) -> PublicProgress:
    registered = report.stage_series(stage=Stage.PENDAFTARAN.value, area=area)
    trained = report.stage_series(stage=Stage.PELATIHAN.value, area=area)
    current = area.current
    rows = [
        SemesterRow(
            semester=str(figures.semester),
            target=figures.target,
            registered=registered[n],
            trained=trained[n],
            counted=figures.new,
            current=figures is current,
        )
        for n, figures in enumerate(area.semesters)
    ]
    return PublicProgress(
        name=area.name,
        stage=Stage(report.period.stage).label,
        first=rows[0].semester,
        last=rows[-1].semester,
        total=area.total,
        cumulative=area.cumulative,
        registered=sum(registered),
        trained=sum(trained),
        rows=rows,
    )


def city_report(*, city: City, today: date) -> ProgressReport | None:
    """The kota's progress report over its current period (shared with the dashboard's
    cache), or None while it has no period."""
    period = period_for(city=city)
    if period is None:
        return None
    return progress_report_current(period=period, today=today)


@dataclass(frozen=True)
class DistrictLink:
    district: District
    progress: PublicProgress | None


@dataclass(frozen=True)
class CityOverview:
    city: City
    progress: PublicProgress | None
    districts: list[DistrictLink]


def public_cities() -> QuerySet[City]:
    return City.objects.prefetch_related(
        Prefetch("districts", queryset=District.objects.order_by("name"))
    ).order_by("code")


def city_overviews(*, today: date) -> list[CityOverview]:
    """Every kota with its kecamatan and their progress this period."""
    overviews = []
    for city in public_cities():
        report = city_report(city=city, today=today)
        by_code = {a.code: a for a in report.districts} if report else {}
        overviews.append(
            CityOverview(
                city=city,
                progress=(
                    _public_progress(report, report.city_progress) if report else None
                ),
                districts=[
                    DistrictLink(
                        district=district,
                        progress=(
                            _public_progress(report, by_code[district.code])
                            if district.code in by_code
                            else None
                        ),
                    )
                    for district in city.districts.all()
                ],
            )
        )
    return overviews


def public_district(*, slug: str) -> District | None:
    return District.objects.select_related("city").filter(slug=slug).first()


@dataclass(frozen=True)
class AgencyContact:
    """A Sudin of the kota and its active Kasatlak/Kasatpel in the kecamatan (or None)."""

    agency: Agency
    lead: FieldLead | None


@dataclass(frozen=True)
class DistrictPage:
    district: District
    programs_here: list[Program]
    programs_elsewhere: list[Program]
    contacts: list[AgencyContact]
    district_progress: PublicProgress | None
    city_progress: PublicProgress | None

    @property
    def without_lead(self) -> list[AgencyContact]:
        return [c for c in self.contacts if c.lead is None]


def district_page(*, district: District, today: date) -> DistrictPage:
    """A kecamatan's public page: trainings taking enrolments in it and elsewhere in its
    kota (seats left), each Sudin's field lead there or its office, and the progress."""
    programs = list(programs_taking_enrolments(city=district.city, today=today))
    contacts = [
        AgencyContact(agency=row.agency, lead=row.cells[0][1])
        for row in coverage_matrix(city=district.city, districts=[district])
    ]
    report = city_report(city=district.city, today=today)
    area = (
        next((a for a in report.districts if a.code == district.code), None)
        if report
        else None
    )
    return DistrictPage(
        district=district,
        programs_here=[p for p in programs if p.district_id == district.pk],
        programs_elsewhere=[p for p in programs if p.district_id != district.pk],
        contacts=contacts,
        district_progress=_public_progress(report, area) if area else None,
        city_progress=(
            _public_progress(report, report.city_progress) if report else None
        ),
    )
