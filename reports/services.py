"""Writes for targets. Changing a period never touches residents."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jakpreneur.semesters import Semester
from wilayah.models import City

from .cache import report_inputs_changed
from .models import DEFAULT_DISTRICT_TOTAL, DistrictTarget, SemesterTarget, TargetPeriod


def spread(total: int, semesters: int) -> list[int]:
    """The total spread evenly, the remainder in the last semester."""
    base = total // semesters
    return [base] * (semesters - 1) + [total - base * (semesters - 1)]


@transaction.atomic
def district_target_spread(*, district_target: DistrictTarget) -> None:
    """(Re)write a kecamatan's semester targets as its total spread evenly."""
    period = district_target.period
    # bulk_create sends no signal: say so here (reports.cache).
    report_inputs_changed()
    district_target.semester_targets.all().delete()
    SemesterTarget.objects.bulk_create(
        SemesterTarget(
            district_target=district_target, semester=str(semester), target=target
        )
        for semester, target in zip(
            period.semester_list,
            spread(district_target.total, period.semesters),
            strict=True,
        )
    )


@transaction.atomic
def period_create(
    *,
    city: City,
    name: str,
    start_semester: str,
    semesters: int = 10,
    stage: str = "pendaftaran",
    default_total: int = DEFAULT_DISTRICT_TOTAL,
    is_active: bool = True,
) -> TargetPeriod:
    """A target period with every kecamatan of the kota at the default total."""
    period = TargetPeriod(
        city=city,
        name=name,
        start_semester=start_semester,
        semesters=semesters,
        stage=stage,
        default_total=default_total,
        is_active=is_active,
    )
    period.full_clean()
    period.save()
    period_fill_targets(period=period)
    return period


@transaction.atomic
def period_fill_targets(*, period: TargetPeriod) -> int:
    """Give every kecamatan of the kota without a target the period's default total."""
    have = set(period.district_targets.values_list("district_id", flat=True))
    created = 0
    for district in period.city.districts.exclude(pk__in=have):
        target = DistrictTarget.objects.create(
            period=period, district=district, total=period.default_total
        )
        district_target_spread(district_target=target)
        created += 1
    return created


def semester_targets_check(
    *, total: int, targets: dict[str, int], period: TargetPeriod
) -> None:
    """Semester targets must name the period's semesters and add up to the total."""
    allowed = {str(s) for s in period.semester_list}
    unknown = sorted(set(targets) - allowed)
    if unknown:
        raise ValidationError(
            _("Semester %(semesters)s di luar periode (%(first)s–%(last)s).")
            % {
                "semesters": ", ".join(unknown),
                "first": period.first_semester,
                "last": period.last_semester,
            }
        )
    given = sum(targets.values())
    if given != total:
        raise ValidationError(
            _(
                "Jumlah target semester %(given)s, target total %(total)s: selisih %(diff)s. "
                "Sesuaikan target semester atau target total."
            )
            % {
                "given": f"{given:,}".replace(",", "."),
                "total": f"{total:,}".replace(",", "."),
                "diff": f"{given - total:+,}".replace(",", "."),
            }
        )


def semester_target_map(*, district_target: DistrictTarget) -> dict[Semester, int]:
    """Every semester of the period with its target (the even spread where none is stored)."""
    period = district_target.period
    stored = {
        Semester.parse(t.semester): t.target
        for t in district_target.semester_targets.all()
    }
    default = dict(
        zip(
            period.semester_list,
            spread(district_target.total, period.semesters),
            strict=True,
        )
    )
    return {
        semester: stored.get(semester, default[semester])
        for semester in period.semester_list
    }
