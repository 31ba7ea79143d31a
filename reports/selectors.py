"""Progress against targets, read from the counters that participants.counting keeps.

Every figure a report shows (dashboard, drill-downs, breakdowns, print page, CSV, XLSX and
JSON) comes from `progress_report`, `village_progress` and `breakdown_counts` below, so the
same quantity has the same value everywhere.
"""

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db.models import Prefetch, Sum
from django.utils import timezone

from jakpreneur.semesters import Semester
from participants.models import BreakdownCount, Dimension, Stage, StageCount
from wilayah.models import City, District

from .cache import Page
from .models import DistrictTarget, SemesterTarget, TargetPeriod
from .services import semester_target_map

# Status against the target to date (documented in the README).
ON_TRACK_FROM = 90.0  # % of the target to date
BEHIND_FROM = 60.0


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole in percent, rounded half up to one decimal (None without a target).

    The one rounding every page and export shows: 0.396 % is 0.4 % everywhere.
    """
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def percent_number(value: Decimal | None) -> float | None:
    """A rounded percentage for JSON and charts: the same figure the pages show."""
    return None if value is None else float(value)


@dataclass
class SemesterFigures:
    semester: Semester
    target: int
    new: int
    cumulative: int
    cumulative_target: int

    @cached_property
    def percent(self) -> float | None:
        return percent(self.new, self.target)

    @cached_property
    def cumulative_percent(self) -> float | None:
        return percent(self.cumulative, self.cumulative_target)


@dataclass
class AreaProgress:
    """One kecamatan (or the kota) over a period, DOMAIN.md rule 6.

    Its figures are computed once each (cached_property): a page reads them many times,
    and nothing changes an AreaProgress once built."""

    code: str
    name: str
    total: int
    semesters: list[SemesterFigures]
    today: date
    funnel: dict[str, int] = field(default_factory=dict)

    @cached_property
    def content_key(self) -> str:
        """Every figure of the area follows from its fields, so their repr changes whenever
        a figure shown would: the key of its rendered card in the fragment cache."""
        return repr(self)

    @cached_property
    def current(self) -> SemesterFigures | None:
        now = Semester.of(self.today)
        return next((s for s in self.semesters if s.semester == now), None)

    @cached_property
    def complete(self) -> list[SemesterFigures]:
        """Semesters of the period that have ended."""
        now = Semester.of(self.today)
        return [s for s in self.semesters if s.semester < now]

    @cached_property
    def cumulative(self) -> int:
        """Residents counted so far (the current semester included)."""
        return sum(s.new for s in self.semesters)

    @cached_property
    def percent_of_total(self) -> float | None:
        return percent(self.cumulative, self.total)

    @cached_property
    def target_to_date(self) -> int:
        """ "Target sampai hari ini": the targets of the ended semesters plus the elapsed
        share (by days) of the current one. Not the cumulative target of the current
        semester, which counts the whole semester."""
        ended = sum(s.target for s in self.complete)
        current = self.current
        if current is None:
            return ended if self.complete else 0
        semester = current.semester
        elapsed = (self.today - semester.start).days + 1
        length = (semester.end - semester.start).days + 1
        return ended + round(current.target * elapsed / length)

    @cached_property
    def percent_to_date(self) -> float | None:
        return percent(self.cumulative, self.target_to_date)

    @cached_property
    def status(self) -> str:
        share = self.percent_to_date
        if share is None or share >= ON_TRACK_FROM:
            return "on_track"
        return "behind" if share >= BEHIND_FROM else "far_behind"

    @cached_property
    def semesters_left(self) -> int:
        """The current semester and those after it."""
        now = Semester.of(self.today)
        return sum(1 for s in self.semesters if s.semester >= now)

    @cached_property
    def pace_needed(self) -> int | None:
        """New residents needed per remaining semester to reach the total."""
        if not self.semesters_left:
            return None
        return max(0, math.ceil((self.total - self.cumulative) / self.semesters_left))

    @cached_property
    def recent_pace(self) -> float | None:
        """Average new residents of the last two complete semesters."""
        last_two = self.complete[-2:]
        return sum(s.new for s in last_two) / len(last_two) if last_two else None

    @cached_property
    def projected_total(self) -> int | None:
        """The five-year total if the remaining semesters go at the recent pace."""
        pace = self.recent_pace
        if pace is None:
            return None
        counted_complete = sum(s.new for s in self.complete)
        return round(counted_complete + pace * self.semesters_left)


@dataclass
class ProgressReport:
    period: TargetPeriod
    city: City
    today: date
    districts: list[AreaProgress]
    city_progress: AreaProgress
    # (district code, stage, semester index) -> residents who first reached it then.
    counts: dict[tuple[str, str, int], int] = field(default_factory=dict)

    def stage_new(self, *, area: AreaProgress, stage: str, index: int) -> int:
        """New residents of a kecamatan at a stage in the period's n-th semester."""
        semester = self.period.semester_list[index]
        return self.counts.get((area.code, stage, semester.index), 0)

    def stage_series(
        self, *, stage: str, area: AreaProgress | None = None
    ) -> list[int]:
        """New residents at a stage in each semester of the period: of one kecamatan, or of
        the kota (area None or the kota's own: the sum of its kecamatan, as the funnel)."""
        if area is None or area is self.city_progress:
            codes = [a.code for a in self.districts]
        else:
            codes = [area.code]
        return [
            sum(self.counts.get((code, stage, s.index), 0) for code in codes)
            for s in self.period.semester_list
        ]

    @property
    def worst_first(self) -> list[AreaProgress]:
        return sorted(self.districts, key=lambda a: (a.percent_to_date or 0, a.name))


def period_for(*, city: City, period_id: int | None = None) -> TargetPeriod | None:
    # With its kota: every report names it (progress_report reads period.city).
    periods = TargetPeriod.objects.select_related("city").filter(city=city)
    if period_id is not None:
        return periods.filter(pk=period_id).first()
    return (
        periods.filter(is_active=True).first()
        or periods.order_by("-start_semester").first()
    )


@dataclass(frozen=True)
class DistrictTargets:
    """A kecamatan's targets in a period: its five-year total and each semester's."""

    district_id: int
    code: str
    name: str
    total: int
    by_semester: dict[Semester, int]


def period_targets(*, period: TargetPeriod, today: date) -> list[DistrictTargets]:
    """Each kecamatan's targets in the period, in code order. Targets are reference data
    (an admin sets them; reports.cache.REFERENCE_MODELS), so they are kept under the
    reference version alone: counting a registration does not read them again."""
    page = Page(
        name="period_targets:1",
        city_id=period.city_id,
        today=today,
        parts=(period.pk,),
        reference_only=True,
    )
    found = page.get()
    if found is None:
        found = [
            DistrictTargets(
                district_id=target.district_id,
                code=target.district.code,
                name=target.district.name,
                total=target.total,
                by_semester=semester_target_map(district_target=target),
            )
            for target in DistrictTarget.objects.filter(period=period)
            .select_related("district", "period")
            .prefetch_related(
                Prefetch("semester_targets", queryset=SemesterTarget.objects.all())
            )
            .order_by("district__code")
        ]
        page.set(found)
    return found


def progress_report(
    *, period: TargetPeriod, today: date | None = None
) -> ProgressReport:
    """Targets and counted residents per kecamatan and semester, rolled up to the kota."""
    today = today or timezone.localdate()
    semesters = period.semester_list
    indexes = [s.index for s in semesters]
    targets = period_targets(period=period, today=today)
    district_ids = [t.district_id for t in targets]
    counts: dict[tuple[int, str, int], int] = {
        (row["village__district_id"], row["stage"], row["semester"]): row["n"]
        for row in StageCount.objects.filter(
            village__district_id__in=district_ids,
            semester__gte=indexes[0],
            semester__lte=indexes[-1],
        )
        .values("village__district_id", "stage", "semester")
        .annotate(n=Sum("count"))
        .order_by()
    }
    areas = []
    for target in targets:
        figures = _figures(
            semesters,
            targets=[target.by_semester[s] for s in semesters],
            new=[
                counts.get((target.district_id, period.stage, s.index), 0)
                for s in semesters
            ],
        )
        funnel = {
            stage.value: sum(
                counts.get((target.district_id, stage.value, i), 0) for i in indexes
            )
            for stage in Stage
        }
        areas.append(
            AreaProgress(
                code=target.code,
                name=target.name,
                total=target.total,
                semesters=figures,
                today=today,
                funnel=funnel,
            )
        )
    city_figures = _figures(
        semesters,
        targets=[
            sum(a.semesters[n].target for a in areas) for n in range(len(semesters))
        ],
        new=[sum(a.semesters[n].new for a in areas) for n in range(len(semesters))],
    )
    city_progress = AreaProgress(
        code=period.city.code,
        name=period.city.short_name,
        total=sum(a.total for a in areas),
        semesters=city_figures,
        today=today,
        funnel={
            stage.value: sum(a.funnel[stage.value] for a in areas) for stage in Stage
        },
    )
    codes = {t.district_id: t.code for t in targets}
    return ProgressReport(
        period=period,
        city=period.city,
        today=today,
        districts=areas,
        city_progress=city_progress,
        counts={(codes[d], stage, i): n for (d, stage, i), n in counts.items()},
    )


def progress_report_current(
    *, period: TargetPeriod, today: date | None = None
) -> ProgressReport:
    """progress_report, from the shared cache while the kota's report inputs are unchanged
    (reports.cache): the pages that show the same figures share one computation."""
    today = today or timezone.localdate()
    page = Page(
        name="progress_report:1",
        city_id=period.city_id,
        today=today,
        parts=(period.pk,),
    )
    report = page.get()
    if not isinstance(report, ProgressReport):
        report = progress_report(period=period, today=today)
        page.set(report)
    return report


def _figures(semesters, *, targets: list[int], new: list[int]) -> list[SemesterFigures]:
    figures, cumulative, cumulative_target = [], 0, 0
    for semester, target, count in zip(semesters, targets, new, strict=True):
        cumulative += count
        cumulative_target += target
        figures.append(
            SemesterFigures(semester, target, count, cumulative, cumulative_target)
        )
    return figures


@dataclass
class HomeFigures:
    """What a kelurahan or kecamatan desk sees first: its share of the kecamatan's progress,
    from the same report as the dashboard (the kecamatan's AreaProgress) and the same
    counters (the kelurahan's own rows)."""

    period: TargetPeriod
    district: AreaProgress  # the kecamatan, exactly as on the dashboard
    semester: Semester
    village_name: str | None = None
    village_semester: int = 0  # the kelurahan's new residents this semester
    village_period: int = 0  # ... and in the whole period
    village_funnel: dict[str, int] = field(default_factory=dict)

    @property
    def share_of_semester(self) -> Decimal | None:
        current = self.district.current
        return percent(self.village_semester, current.new) if current else None

    @property
    def share_of_period(self) -> Decimal | None:
        return percent(self.village_period, self.district.cumulative)


def home_figures(
    *, district: District, village=None, today: date | None = None
) -> HomeFigures | None:
    """The kecamatan's progress (and the kelurahan's part in it); None without a period."""
    today = today or timezone.localdate()
    period = period_for(city=district.city)
    if period is None:
        return None
    report = progress_report_current(period=period, today=today)
    area = next((a for a in report.districts if a.code == district.code), None)
    if area is None:
        return None
    figures = HomeFigures(period=period, district=area, semester=Semester.of(today))
    if village is not None:
        indexes = [s.index for s in period.semester_list]
        rows = (
            StageCount.objects.filter(
                village=village, semester__gte=indexes[0], semester__lte=indexes[-1]
            )
            .values("stage", "semester")
            .annotate(n=Sum("count"))
            .order_by()
        )
        funnel = dict.fromkeys((stage.value for stage in Stage), 0)
        for row in rows:
            funnel[row["stage"]] += row["n"]
            if (
                row["stage"] == period.stage
                and row["semester"] == figures.semester.index
            ):
                figures.village_semester += row["n"]
        figures.village_name = village.name
        figures.village_funnel = funnel
        figures.village_period = funnel[period.stage]
    return figures


def agency_target_progress(*, agency, today: date | None = None):
    """(period, target total, residents counted for the Sudin) where its period sets a
    target for it, else None: the breakdown by Sudin of the dashboard, for one Sudin."""
    period = period_for(city=agency.city)
    if period is None:
        return None
    target = period.agency_targets.filter(agency=agency).first()
    if target is None:
        return None
    indexes = [s.index for s in period.semester_list]
    counted = (
        BreakdownCount.objects.filter(
            village__district__city=agency.city,
            stage=period.stage,
            semester__gte=indexes[0],
            semester__lte=indexes[-1],
            dimension=Dimension.AGENCY,
            value=str(agency.pk),
        ).aggregate(n=Sum("count"))["n"]
        or 0
    )
    return period, target.total, counted
