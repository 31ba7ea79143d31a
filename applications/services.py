"""Writes about online applications, each in one transaction."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jakpreneur.ratelimit import limit_reached
from jakpreneur.text import text_clean
from participants.models import Channel, Resident
from participants.services import nik_holder, resident_register
from programs.models import Program
from programs.services import enrollment_create
from reports.cache import report_inputs_changed

from .models import NOTICE_VERSION, Application, code_generate

HOUR, DAY = 60 * 60, 24 * 60 * 60


# --- Limits (the shared cache) -------------------------------------------------------------


def _key(kind: str, value: str) -> str:
    """A cache key that names no address or NIK (both personal data) in the cache."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    return f"applications:{kind}:{digest}"


def apply_address_limited(*, address: str | None) -> bool:
    """Count one application from this address; True once over the hourly limit."""
    return limit_reached(
        _key("apply-address", address or "-"),
        limit=settings.APPLY_LIMIT_PER_ADDRESS_HOUR,
        window_seconds=HOUR,
    )


def apply_nik_limited(*, nik: str) -> bool:
    """Count one application with this NIK; True once over the daily limit."""
    return limit_reached(
        _key("apply-nik", nik),
        limit=settings.APPLY_LIMIT_PER_NIK_DAY,
        window_seconds=DAY,
    )


def status_address_limited(*, address: str | None) -> bool:
    """Count one status look-up from this address (codes are not to be guessed)."""
    return limit_reached(
        _key("status-address", address or "-"),
        limit=settings.STATUS_LIMIT_PER_ADDRESS_HOUR,
        window_seconds=HOUR,
    )


# --- Applying -------------------------------------------------------------------------------


def application_submit(*, now=None, **fields) -> Application:
    """Store an application the public form accepted, under a fresh reference code."""
    now = now or timezone.now()
    for _attempt in range(5):
        application = Application(
            code=code_generate(),
            consent_at=now,
            consent_version=NOTICE_VERSION,
            applied_at=now,
            **fields,
        )
        application.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                application.save()
        except IntegrityError:
            # A code already given (1 in 10^11 per stored application): draw another.
            if Application.objects.filter(code=application.code).exists():
                continue
            raise
        return application
    raise RuntimeError("No free application code after 5 draws")


# --- Keeping (the privacy notice's promise) ----------------------------------------------------

# The privacy notice: a rejected application is kept at most 12 months.
REJECTED_KEPT_DAYS = 365


@transaction.atomic
def applications_purge(*, now=None, dry_run: bool = False) -> int:
    """Delete the applications rejected more than REJECTED_KEPT_DAYS ago; how many."""
    limit = (now or timezone.now()) - timedelta(days=REJECTED_KEPT_DAYS)
    old = Application.objects.filter(
        status=Application.Status.REJECTED, handled_at__lt=limit
    )
    if dry_run:
        return old.count()
    deleted, _by_model = old.delete()
    return deleted


# --- Handling (the kelurahan) ------------------------------------------------------------------


def _city_of(application: Application) -> int:
    return application.village.district.city_id


def _locked_open(application: Application) -> Application:
    """The application locked and read afresh; refused unless it is still to be decided."""
    # Only the application's row is locked (PostgreSQL refuses FOR UPDATE on the
    # nullable side of the programme's outer join).
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("village__district", "program")
        .get(pk=application.pk)
    )
    if not locked.is_open:
        raise ValidationError(
            _("Pengajuan ini sudah ditangani: %(status)s.")
            % {"status": locked.get_status_display()}
        )
    return locked


def _decide(
    application: Application, *, user, status: str, reason: str = "", resident=None
) -> Application:
    application.status = status
    application.reason = reason
    application.resident = resident
    application.handled_at = timezone.now()
    application.handled_by = user
    application.save(
        update_fields=["status", "reason", "resident", "handled_at", "handled_by"]
    )
    # The dashboard's overdue panel reads applications: its kota's pages go stale.
    report_inputs_changed(city_ids=[_city_of(application)])
    return application


@dataclass
class Accepted:
    application: Application
    resident: Resident
    # The training the applicant asked for: enrolled (terdaftar), or why not.
    proposed: Program | None = None
    proposal_refused: str = ""


def _propose(application: Application, *, resident: Resident, user, today) -> Accepted:
    accepted = Accepted(application=application, resident=resident)
    program = application.program
    if program is None:
        return accepted
    try:
        with transaction.atomic():  # a refusal leaves the acceptance standing
            enrollment_create(
                program=program, resident=resident, user=user, today=today
            )
    except ValidationError as error:
        accepted.proposal_refused = " ".join(error.messages)
    else:
        accepted.proposed = program
    return accepted


@transaction.atomic
def application_accept(
    *, application: Application, user, today: date | None = None, **fields
) -> Accepted:
    """Register the applicant through the desk's own service (channel online, registered
    on the day of acceptance) and mark the application accepted, in one transaction; then
    propose them for the training they asked for."""
    today = today or timezone.localdate()
    application = _locked_open(application)
    fields.update(registered_on=today, channel=Channel.ONLINE)
    resident = resident_register(registered_by=user, today=today, **fields)
    _decide(
        application, user=user, status=Application.Status.ACCEPTED, resident=resident
    )
    return _propose(application, resident=resident, user=user, today=today)


@transaction.atomic
def application_accept_existing(
    *, application: Application, user, today: date | None = None
) -> Accepted:
    """The applicant is already a resident this clerk keeps: accept the application as
    theirs (nothing new is counted: they were registered before)."""
    today = today or timezone.localdate()
    application = _locked_open(application)
    resident, visible = nik_holder(nik=application.nik, user=user)
    if resident is None or not visible:
        raise ValidationError(
            _(
                "NIK ini tidak terdaftar di wilayah Anda: daftarkan pemohon, atau minta "
                "ia datang ke kelurahan."
            )
        )
    if resident.is_void:
        raise ValidationError(
            _(
                "Pendaftaran warga dengan NIK ini sudah dibatalkan; minta pemohon datang "
                "ke kantor kelurahan."
            )
        )
    _decide(
        application, user=user, status=Application.Status.ACCEPTED, resident=resident
    )
    return _propose(application, resident=resident, user=user, today=today)


@transaction.atomic
def application_refuse(
    *, application: Application, user, status: str, reason: str
) -> Application:
    """Ask the applicant to come to the office, or reject; the reason is theirs to read."""
    if status not in Application.DECIDED_WITH_REASON:
        raise ValidationError(_("Pilih keputusan: perlu datang atau ditolak."))
    reason = text_clean(reason).strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Tuliskan alasan yang akan dibaca pemohon.")}
        )
    application = _locked_open(application)
    if (
        application.status == Application.Status.NEEDS_VISIT
        and status == Application.Status.NEEDS_VISIT
        and reason == application.reason
    ):
        return application
    return _decide(application, user=user, status=status, reason=reason)
