"""Writes for outreach activities: within the recorder's scope (accounts.access), checked
and saved in one transaction."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import (
    districts_for_outreach,
    outreach_agency_of,
    outreach_local_required,
    villages_for_outreach,
)
from jakpreneur.constraints import constraint_field, violated_check
from programs.models import Agency
from wilayah.models import District, Village

from .models import OutreachActivity

# What a recorder gives; the rest (recorded_by, created_at) the service sets.
FIELDS = (
    "held_on",
    "district",
    "village",
    "agency",
    "office",
    "office_name",
    "kind",
    "people_reached",
    "notes",
)


def _check(activity: OutreachActivity, *, user) -> None:
    """The rules a form alone cannot keep: the user's scope, places and organiser that
    belong together, no date in the future."""
    errors = {}
    if activity.held_on and activity.held_on > timezone.localdate():
        errors["held_on"] = _("Tanggal kegiatan tidak boleh di masa depan.")
    district: District | None = activity.district if activity.district_id else None
    if (
        district
        and not districts_for_outreach(user=user).filter(pk=district.pk).exists()
    ):
        errors["district"] = _(
            "Anda tidak dapat mencatat sosialisasi di kecamatan ini."
        )
    village: Village | None = activity.village if activity.village_id else None
    if village is None and outreach_local_required(user):
        errors["village"] = _("Kegiatan yang Anda catat berlangsung di kelurahan Anda.")
    elif village is not None:
        if district and village.district_id != district.pk:
            errors["village"] = _("Kelurahan ini tidak berada di kecamatan tersebut.")
        elif not villages_for_outreach(user=user).filter(pk=village.pk).exists():
            errors["village"] = _(
                "Anda tidak dapat mencatat sosialisasi di kelurahan ini."
            )
    agency: Agency | None = activity.agency if activity.agency_id else None
    own = outreach_agency_of(user)
    if own is not None and activity.agency_id != own.pk:
        errors["agency"] = _("Sosialisasi yang Anda catat diselenggarakan Sudin Anda.")
    elif agency is not None and district and agency.city_id != district.city_id:
        errors["agency"] = _("Suku Dinas ini tidak berada di kota kecamatan tersebut.")
    if errors:
        raise ValidationError(errors)


def _save(activity: OutreachActivity, **kwargs) -> None:
    activity.full_clean()
    try:
        with (
            transaction.atomic()
        ):  # a savepoint: the error below leaves the outer usable
            activity.save(**kwargs)
    except IntegrityError as error:
        constraint = violated_check(OutreachActivity, error)
        if constraint is None:
            # The composite key of migration 0001 (PostgreSQL): village outside district.
            raise ValidationError(
                {"village": _("Kelurahan ini tidak berada di kecamatan tersebut.")}
            ) from error
        raise ValidationError(
            {constraint_field(constraint): constraint.violation_error_message}
        ) from error


@transaction.atomic
def outreach_activity_create(
    *,
    user,
    held_on: date,
    district: District,
    kind: str,
    people_reached: int,
    village: Village | None = None,
    agency: Agency | None = None,
    office: str = "",
    office_name: str = "",
    notes: str = "",
) -> OutreachActivity:
    """Record an activity in the user's scope."""
    activity = OutreachActivity(
        held_on=held_on,
        district=district,
        village=village,
        agency=agency,
        office=office,
        office_name=office_name,
        kind=kind,
        people_reached=people_reached,
        notes=notes,
        recorded_by=user,
    )
    _check(activity, user=user)
    _save(activity)
    return activity


@transaction.atomic
def outreach_activity_update(
    *, activity: OutreachActivity, user, **fields
) -> OutreachActivity:
    """Correct an activity; the caller has checked it is in the user's scope."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"not an outreach field: {sorted(unknown)}")
    activity = OutreachActivity.objects.select_for_update().get(pk=activity.pk)
    for name, value in fields.items():
        setattr(activity, name, value)
    _check(activity, user=user)
    _save(activity, update_fields=list(fields))
    return activity


@transaction.atomic
def outreach_activity_delete(*, activity: OutreachActivity, user) -> None:
    """Delete an activity recorded by mistake (its history keeps who deleted it)."""
    activity._history_user = user
    activity.delete()
