"""Reads about online applications: the queues, the counts, the status an applicant sees."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from accounts.access import may_handle_applications, villages_kept_by
from participants.forms import ResidentForm
from participants.identity import nik_parse
from participants.models import Resident
from participants.services import nik_holder

from .models import Application

# Applications not handled within this many days show on the kecamatan's and the
# Sekretaris Kota's pages.
OVERDUE_DAYS = 14


def overdue_before(*, today: date | None = None) -> datetime:
    """Applications received before this moment and still not handled are overdue: the
    start (Jakarta time) of the day OVERDUE_DAYS before today. By whole days, so a figure
    changes only from one day to the next (the dashboard caches its parts per day)."""
    day = (today or timezone.localdate()) - timedelta(days=OVERDUE_DAYS)
    return timezone.make_aware(datetime.combine(day, time.min))


def applications_for_queue(*, user) -> QuerySet[Application]:
    """Applications for the kelurahan whose residents this user registers."""
    if not may_handle_applications(user):
        return Application.objects.none()
    return Application.objects.filter(
        village__in=villages_kept_by(user=user)
    ).select_related("village__district")


def applications_filtered(*, user, status: str, today=None) -> QuerySet[Application]:
    """The queue as the list shows it: open ones oldest first, handled ones newest first."""
    applications = applications_for_queue(user=user)
    if status == "overdue":
        return applications.filter(
            status=Application.Status.RECEIVED,
            applied_at__lt=overdue_before(today=today),
        ).order_by("applied_at", "id")
    if status in Application.Status.values:
        applications = applications.filter(status=status)
    if status in Application.OPEN:
        return applications.order_by("applied_at", "id")
    return applications.order_by("-applied_at", "-id")


@dataclass(frozen=True)
class QueueCounts:
    waiting: int  # received, not handled yet
    overdue: int  # of those, received more than OVERDUE_DAYS ago


def queue_counts(*, user, today=None) -> QueueCounts:
    """What a desk's home page says about its queue (one query, a range of the queue's
    index: the waiting ones only, however many were handled before)."""
    counts = (
        applications_for_queue(user=user)
        .filter(status=Application.Status.RECEIVED)
        .aggregate(
            waiting=Count("id"),
            overdue=Count("id", filter=Q(applied_at__lt=overdue_before(today=today))),
        )
    )
    return QueueCounts(waiting=counts["waiting"], overdue=counts["overdue"])


@dataclass(frozen=True)
class OverdueRow:
    district_code: str
    district_name: str
    count: int
    oldest: datetime


def applications_overdue(*, city, today=None) -> list[OverdueRow]:
    """Per kecamatan of a kota: applications not handled within OVERDUE_DAYS (one grouped
    query), the kecamatan with the oldest first."""
    rows = (
        Application.objects.filter(
            status=Application.Status.RECEIVED,
            applied_at__lt=overdue_before(today=today),
            village__district__city=city,
        )
        .values("village__district__code", "village__district__name")
        .annotate(count=Count("id"), oldest=Min("applied_at"))
        .order_by("oldest", "village__district__code")
    )
    return [
        OverdueRow(
            district_code=row["village__district__code"],
            district_name=row["village__district__name"],
            count=row["count"],
            oldest=row["oldest"],
        )
        for row in rows
    ]


def application_for_status(*, code: str, birth_date: date) -> Application | None:
    """The application with this code, if the birth date matches; None either way else."""
    return (
        Application.objects.filter(code=code, birth_date=birth_date)
        .select_related("village")
        .first()
    )


@dataclass
class Warnings:
    """What the kelurahan checks before accepting (the desk form's warnings, and more)."""

    form: list[str]  # NIK region, birth date/gender vs NIK, possible duplicates
    holder: Resident | None  # the resident who already holds this NIK
    holder_visible: bool  # ... in this clerk's own area
    other_applications: int  # other open applications with the same NIK
    nik_invalid: str = ""  # the NIK no longer passes (rules changed since it was sent)

    @property
    def any(self) -> bool:
        return bool(
            self.form or self.holder or self.other_applications or self.nik_invalid
        )


def application_warnings(*, application: Application, user, today=None) -> Warnings:
    """The registration form's own warnings for this application, as its clerk sees them."""
    today = today or timezone.localdate()
    holder, visible = nik_holder(nik=application.nik, user=user)
    others = (
        Application.objects.filter(nik=application.nik, status__in=Application.OPEN)
        .exclude(pk=application.pk)
        .count()
    )
    form = ResidentForm(user=user, today=today)
    try:
        form.nik_info = nik_parse(application.nik, today=today)
    except ValueError as error:
        return Warnings([], holder, visible, others, nik_invalid=str(error))
    data = {
        "full_name": application.full_name,
        "birth_date": application.birth_date,
        "gender": application.gender,
        "village": application.village,
    }
    # The desk form's own rule (participants.forms.ResidentForm._warnings), not a copy.
    return Warnings(form._warnings(data), holder, visible, others)
