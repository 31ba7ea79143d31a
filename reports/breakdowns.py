"""Who the counted residents are: by kelurahan, Sudin, category, gender and age band.

Read from the same counters as the dashboard (participants.counting, DOMAIN.md rule 7): the
headline is the counters' total, and each breakdown is a split of exactly those counts, so
a breakdown that does not sum to the headline is a bug that the tests catch.
"""

from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext as _

from jakpreneur.semesters import Semester
from participants.counting import AGE_BAND_LABELS, AGE_BANDS, NAMED_OUTREACH
from participants.models import (
    BreakdownCount,
    Dimension,
    Gender,
    HeardVia,
    Sector,
    StageCount,
)
from programs.models import Agency
from wilayah.models import District, Village

# Breakdown keys, in the order pages show them.
KELURAHAN = "kelurahan"
DIMENSIONS = [
    KELURAHAN,
    Dimension.AGENCY.value,
    Dimension.CATEGORY.value,
    Dimension.GENDER.value,
    Dimension.AGE.value,
    Dimension.HEARD.value,
]


def _village_ids(districts) -> list[int]:
    """The kecamatan's kelurahan ids. The counters are filtered by these ids, never joined
    to the kelurahan table: given ids, the planner reads only this area's counter rows
    through the counters' key (village, stage, semester, ...); given the join, it hashed
    the kelurahan and scanned every kota's counters (the breakdowns page at 8.8M
    residents: 39 ms, against 7 ms so, as at 1.6M)."""
    return list(
        Village.objects.filter(district__in=districts).values_list("pk", flat=True)
    )


def _counters(model, *, village_ids, stage: str, first: Semester, last: Semester):
    """The counter rows of these kelurahan for one stage between two semesters."""
    return model.objects.filter(
        village_id__in=village_ids,
        stage=stage,
        semester__gte=first.index,
        semester__lte=last.index,
    )


def counted_headline(
    *, districts: list[District], stage: str, first: Semester, last: Semester
) -> int:
    """Residents of these kecamatan who reached the stage between two semesters."""
    span = {"stage": stage, "first": first, "last": last}
    rows = _counters(StageCount, village_ids=_village_ids(districts), **span)
    return rows.aggregate(n=Sum("count"))["n"] or 0


def breakdowns(
    *, districts: list[District], stage: str, first: Semester, last: Semester
) -> dict[str, list[tuple[str, int]]]:
    """{dimension: [(label, count), ...]}; each list sums to counted_headline()."""
    result: dict[str, list[tuple[str, int]]] = {}
    span = {
        "village_ids": _village_ids(districts),  # read once, for both counter tables
        "stage": stage,
        "first": first,
        "last": last,
    }
    by_village = (
        _counters(StageCount, **span)
        .values("village__name")
        .annotate(n=Sum("count"))
        .order_by("village__name")
    )
    result[KELURAHAN] = [(r["village__name"], r["n"]) for r in by_village if r["n"]]
    split: dict[str, dict[str, int]] = {}
    rows = (
        _counters(BreakdownCount, **span)
        .values("dimension", "value")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for row in rows:
        if row["n"]:
            split.setdefault(row["dimension"], {})[row["value"]] = row["n"]
    not_trained = _("Belum ikut pelatihan")
    agencies = dict(
        Agency.objects.filter(
            pk__in=[int(v) for v in split.get(Dimension.AGENCY, {}) if v]
        ).values_list("pk", "short_name")
    )
    result[Dimension.AGENCY] = sorted(
        (
            (agencies[int(value)] if value else not_trained, n)
            for value, n in split.get(Dimension.AGENCY, {}).items()
        ),
        key=lambda pair: (pair[0] == not_trained, pair[0]),
    )
    sectors = dict(Sector.choices)
    result[Dimension.CATEGORY] = [
        (str(sectors[value]) if value else not_trained, n)
        for value, n in sorted(
            split.get(Dimension.CATEGORY, {}).items(), key=lambda p: (not p[0], p[0])
        )
    ]
    genders = dict(Gender.choices)
    result[Dimension.GENDER] = [
        (str(genders[value]), n)
        for value, n in sorted(split.get(Dimension.GENDER, {}).items())
    ]
    ages = split.get(Dimension.AGE, {})
    result[Dimension.AGE] = [
        (AGE_BAND_LABELS[value], ages[value])
        for _low, _high, value in AGE_BANDS
        if value in ages
    ]
    # How they heard of Jakpreneur, in the question's order; "" = not asked (older records).
    heard = split.get(Dimension.HEARD, {})
    result[Dimension.HEARD] = [
        (str(label), heard[value])
        for value, label in HeardVia.choices
        if value in heard
    ]
    if heard.get(""):
        result[Dimension.HEARD].append((_("Tidak ditanyakan (data lama)"), heard[""]))
    return result


def outreach_registrations(
    *, districts: list[District], semester: Semester
) -> dict[int, int]:
    """Registrations of a semester that name outreach as their source, per kecamatan (id):
    the counters' rule (participants.counting.NAMED_OUTREACH), not the residents."""
    district_of = dict(
        Village.objects.filter(district__in=districts).values_list("pk", "district_id")
    )
    rows = (
        BreakdownCount.objects.filter(
            NAMED_OUTREACH, village_id__in=list(district_of), semester=semester.index
        )
        .values_list("village_id")
        .annotate(n=Sum("count"))
        .order_by()
    )
    named: dict[int, int] = {}
    for village_id, n in rows:  # per kelurahan (see _village_ids), added up here
        if n:
            named[district_of[village_id]] = named.get(district_of[village_id], 0) + n
    return named


@dataclass
class VillageRow:
    village: Village
    counts: list[int]  # per semester shown
    total: int


def village_semesters(
    *, district: District, stage: str, semesters: list[Semester]
) -> list[VillageRow]:
    """Kelurahan × semester of one kecamatan: every kelurahan, with zeros where none."""
    villages = list(district.villages.order_by("name"))
    counts: dict[tuple[int, int], int] = {
        (row["village_id"], row["semester"]): row["n"]
        for row in _counters(
            StageCount,
            village_ids=[village.pk for village in villages],
            stage=stage,
            first=semesters[0],
            last=semesters[-1],
        )
        .values("village_id", "semester")
        .annotate(n=Sum("count"))
        .order_by()
    }
    rows = []
    for village in villages:
        per_semester = [counts.get((village.pk, s.index), 0) for s in semesters]
        rows.append(VillageRow(village, per_semester, sum(per_semester)))
    return rows
