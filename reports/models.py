"""Targets per kota period (the counters they are read against live in participants)."""

import functools

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jakpreneur.semesters import SEMESTER_PATTERN, Semester
from jakpreneur.text import CleanTextModelMixin
from participants.models import Stage

DEFAULT_DISTRICT_TOTAL = 200_000  # the city secretary's figure per kecamatan


class TargetPeriod(CleanTextModelMixin, models.Model):
    """A target period of a kota: N semesters from a start semester, counting one stage."""

    city = models.ForeignKey(
        "wilayah.City",
        models.PROTECT,
        related_name="target_periods",
        verbose_name=_("kota"),
    )
    name = models.CharField(_("nama"), max_length=120)
    start_semester = models.CharField(
        _("semester awal"), max_length=7, help_text=_("Contoh: 2023-S1.")
    )
    semesters = models.PositiveSmallIntegerField(
        _("jumlah semester"), default=10, validators=[MinValueValidator(1)]
    )
    stage = models.CharField(
        _("tahap yang dihitung"),
        max_length=20,
        choices=Stage,
        default=Stage.PENDAFTARAN,
    )
    default_total = models.PositiveIntegerField(
        _("target bawaan per kecamatan"), default=DEFAULT_DISTRICT_TOTAL
    )
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("periode target")
        verbose_name_plural = _("periode target")
        ordering = ["city__code", "-is_active", "start_semester"]
        constraints = [
            models.UniqueConstraint(
                fields=["city"],
                condition=Q(is_active=True),
                name="reports_targetperiod_one_active_per_city",
                violation_error_message=_(
                    "Kota ini sudah punya periode target yang aktif."
                ),
            ),
            models.CheckConstraint(
                condition=Q(start_semester__regex=SEMESTER_PATTERN.pattern),
                name="reports_targetperiod_start_semester_format",
                violation_error_message=_("Semester awal ditulis seperti 2023-S1."),
            ),
            models.CheckConstraint(
                condition=Q(semesters__gte=1),
                name="reports_targetperiod_has_semesters",
            ),
        ]

    def __str__(self) -> str:
        try:
            return f"{self.name} ({self.first_semester}–{self.last_semester})"
        except (ValueError, TypeError):
            # A start or length its form refused, shown again on that form (admin).
            return f"{self.name} ({self.start_semester})"

    def clean(self):
        try:
            Semester.parse(self.start_semester or "")
        except ValueError as error:
            raise ValidationError(
                {"start_semester": _("Semester awal ditulis seperti 2023-S1.")}
            ) from error

    @property
    def first_semester(self) -> Semester:
        return Semester.parse(self.start_semester)

    @property
    def last_semester(self) -> Semester:
        return self.first_semester + (self.semesters - 1)

    @property
    def semester_list(self) -> list[Semester]:
        return list(_semester_list(self.start_semester, self.semesters))


class DistrictTarget(models.Model):
    """A kecamatan's five-year total in a period; its semester targets sum to it."""

    period = models.ForeignKey(
        TargetPeriod,
        models.CASCADE,
        related_name="district_targets",
        verbose_name=_("periode"),
    )
    district = models.ForeignKey(
        "wilayah.District",
        models.PROTECT,
        related_name="targets",
        verbose_name=_("kecamatan"),
    )
    total = models.PositiveIntegerField(
        _("target total"), default=DEFAULT_DISTRICT_TOTAL
    )

    class Meta:
        verbose_name = _("target kecamatan")
        verbose_name_plural = _("target kecamatan")
        ordering = ["period", "district__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "district"],
                name="reports_districttarget_once_per_period",
                violation_error_message=_(
                    "Kecamatan ini sudah punya target di periode ini."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.district} · {self.period.name}"


class SemesterTarget(models.Model):
    district_target = models.ForeignKey(
        DistrictTarget,
        models.CASCADE,
        related_name="semester_targets",
        verbose_name=_("target kecamatan"),
    )
    semester = models.CharField(_("semester"), max_length=7)
    target = models.PositiveIntegerField(_("target"))

    class Meta:
        verbose_name = _("target semester")
        verbose_name_plural = _("target semester")
        ordering = ["district_target", "semester"]
        constraints = [
            models.UniqueConstraint(
                fields=["district_target", "semester"],
                name="reports_semestertarget_once",
                violation_error_message=_("Semester ini sudah punya target."),
            ),
            models.CheckConstraint(
                condition=Q(semester__regex=SEMESTER_PATTERN.pattern),
                name="reports_semestertarget_semester_format",
                violation_error_message=_("Semester ditulis seperti 2024-S1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.semester}: {self.target}"


class AgencyTarget(models.Model):
    """An optional target for one Suku Dinas in a period."""

    period = models.ForeignKey(
        TargetPeriod,
        models.CASCADE,
        related_name="agency_targets",
        verbose_name=_("periode"),
    )
    agency = models.ForeignKey(
        "programs.Agency",
        models.PROTECT,
        related_name="targets",
        verbose_name=_("Suku Dinas"),
    )
    total = models.PositiveIntegerField(_("target total"))

    class Meta:
        verbose_name = _("target Suku Dinas")
        verbose_name_plural = _("target Suku Dinas")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "agency"],
                name="reports_agencytarget_once_per_period",
                violation_error_message=_(
                    "Suku Dinas ini sudah punya target di periode ini."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.total}"


@functools.lru_cache(maxsize=256)
def _semester_list(start_semester: str, semesters: int) -> tuple[Semester, ...]:
    """A period's semesters, parsed once per (start, length): reports read them often."""
    first = Semester.parse(start_semester)
    return tuple(first + n for n in range(semesters))
