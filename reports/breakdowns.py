"""Who the counted residents are: by kelurahan, Sudin, category, gender and age band.

The residents are exactly those the counters count (DOMAIN.md rule 7), so every breakdown
sums to the headline; a breakdown by Sudin or category uses the programme of the
resident's first enrolment that was not cancelled (residents with none get their own row).
"""

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from participants.models import STAGE_DATE_FIELDS, Gender, Resident, Sector
from programs.models import Enrollment

from .counting import semester_index
from .models import TargetPeriod
from .semesters import Semester

AGE_BANDS = [
    (0, 24, "< 25"),
    (25, 34, "25–34"),
    (35, 44, "35–44"),
    (45, 54, "45–54"),
    (55, 200, "≥ 55"),
]


def counted_residents(
    *,
    period: TargetPeriod,
    district_ids: list[int],
    first: Semester | None = None,
    last: Semester | None = None,
) -> QuerySet[Resident]:
    """Residents counted by a period's stage in these kecamatan between two semesters."""
    field = STAGE_DATE_FIELDS[period.stage]
    first = max(first or period.first_semester, period.first_semester)
    last = min(last or period.last_semester, period.last_semester)
    return Resident.objects.filter(
        is_void=False,
        village__district_id__in=district_ids,
        **{f"{field}__range": (first.start, last.end)},
    )


def _first_enrolment(column: str):
    return Subquery(
        Enrollment.objects.filter(resident=OuterRef("pk"))
        .exclude(status=Enrollment.Status.CANCELLED)
        .order_by("enrolled_on", "id")
        .values(column)[:1]
    )


def _age_band(stage_field: str):
    age = (
        ExtractYear(stage_field)
        - ExtractYear("birth_date")
        - Case(
            When(
                Q(**{f"{stage_field}__month__lt": F("birth_date__month")})
                | Q(
                    **{
                        f"{stage_field}__month": F("birth_date__month"),
                        f"{stage_field}__day__lt": F("birth_date__day"),
                    }
                ),
                then=Value(1),
            ),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    return Case(
        *[
            When(Q(age__gte=low, age__lte=high), then=Value(label))
            for low, high, label in AGE_BANDS
        ],
        default=Value("?"),
        output_field=CharField(),
    ), age


def breakdowns(
    *, residents: QuerySet[Resident], stage: str
) -> dict[str, list[tuple[str, int]]]:
    """{dimension: [(label, count), ...]} — each list sums to residents.count()."""
    none = _("Belum ikut pelatihan")
    result = {}
    by_village = (
        residents.values("village__name")
        .annotate(n=Count("pk"))
        .order_by("village__name")
    )
    result["kelurahan"] = [(row["village__name"], row["n"]) for row in by_village]
    by_agency = (
        residents.annotate(agency=_first_enrolment("program__agency__short_name"))
        .values("agency")
        .annotate(n=Count("pk"))
        .order_by("agency")
    )
    result["sudin"] = [(row["agency"] or none, row["n"]) for row in by_agency]
    sectors = dict(Sector.choices)
    by_category = (
        residents.annotate(category=_first_enrolment("program__category"))
        .values("category")
        .annotate(n=Count("pk"))
        .order_by("category")
    )
    result["kategori"] = [
        (str(sectors.get(row["category"], none)), row["n"]) for row in by_category
    ]
    genders = dict(Gender.choices)
    by_gender = residents.values("gender").annotate(n=Count("pk")).order_by("gender")
    result["jenis_kelamin"] = [
        (str(genders[row["gender"]]), row["n"]) for row in by_gender
    ]
    band, age = _age_band(STAGE_DATE_FIELDS[stage])
    by_age = (
        residents.annotate(age=age)
        .annotate(band=band)
        .values("band")
        .annotate(n=Count("pk"))
    )
    order = {label: n for n, (_low, _high, label) in enumerate(AGE_BANDS)}
    result["usia"] = sorted(
        ((row["band"], row["n"]) for row in by_age), key=lambda r: order.get(r[0], 99)
    )
    return result


def village_semesters(
    *, residents: QuerySet[Resident], stage: str, semesters: list[Semester]
) -> list[tuple[str, list[int], int]]:
    """Kelurahan × semester: (kelurahan, new residents per semester, total) for a drill-down."""
    field = STAGE_DATE_FIELDS[stage]
    grouped = (
        residents.annotate(semester_index=semester_index(field))
        .values("village__name", "semester_index")
        .annotate(n=Count("pk"))
        .order_by()
    )
    table: dict[str, dict[int, int]] = {}
    for row in grouped:
        table.setdefault(row["village__name"], {})[row["semester_index"]] = row["n"]
    return [
        (
            name,
            [by_semester.get(s.index, 0) for s in semesters],
            sum(by_semester.values()),
        )
        for name, by_semester in sorted(table.items())
    ]
