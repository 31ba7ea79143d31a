"""Writes about residents, each in one transaction."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jakpreneur.constraints import constraint_field, violated_check
from jakpreneur.ratelimit import limit_reached
from jakpreneur.text import text_clean

from .counting import counts_follow, state_of
from .identity import NIK_LIKE
from .models import DERIVED_STAGE_FIELDS, AccessLog, Resident, StageRecord
from .selectors import resident_find_by_nik, residents_visible_to
from .stages import resident_stages_sync


def duplicate_nik_message(*, existing: Resident, visible: bool) -> str:
    """What a clerk is told about a NIK already registered: where and since when only if
    that resident is in their own area; otherwise whom to ask, and nothing about them."""
    if not visible:
        return _(
            "NIK ini sudah terdaftar di Jakpreneur di wilayah lain. Satu warga hanya "
            "didaftarkan sekali. Bila warga sudah pindah ke wilayah Anda, hubungi meja PKT "
            "kecamatan Anda untuk memindahkan datanya."
        )
    village = existing.village
    return _(
        "NIK ini sudah terdaftar di Kelurahan %(village)s, Kecamatan %(district)s "
        "(sejak %(date)s). Satu warga hanya didaftarkan sekali."
    ) % {
        "village": village.name,
        "district": village.district.name,
        "date": existing.registered_on.strftime("%d/%m/%Y"),
    }


def nik_holder(
    *, nik: str, user, exclude_pk: int | None = None
) -> tuple[Resident | None, bool]:
    """The resident already registered with this NIK (other than exclude_pk), and whether
    it is in this user's own area: the one rule behind every "already registered" answer
    (form, live check, a race at the database)."""
    # No joins and no ordering (a NIK is held once): the common answer, "nobody", is one
    # index probe; where the holder lives is read only for a holder.
    holders = Resident.objects.filter(nik=nik).order_by()
    if exclude_pk is not None:
        holders = holders.exclude(pk=exclude_pk)
    existing = next(iter(holders[:1]), None)
    if existing is None:
        return None, False
    visible = (
        user is not None
        and residents_visible_to(user=user).filter(pk=existing.pk).exists()
    )
    return existing, visible


def _field_rules_check(instance) -> None:
    """A record's field rules, in Python. Not asked of the database: the related rows
    already read (the kelurahan, the clerk: their foreign keys guard them) and the
    CheckConstraints, which guard the write itself (the caller says what they refused)."""
    loaded = {
        field.name
        for field in type(instance)._meta.concrete_fields
        if field.is_relation and field.is_cached(instance)
    }
    instance.full_clean(
        exclude=loaded, validate_unique=False, validate_constraints=False
    )


def _refusal(error: IntegrityError, *, nik: str, user, exclude_pk) -> ValidationError:
    """A write the database refused, said as the form says it: a CheckConstraint's own
    message, or the NIK rule's when another clerk registered the NIK a moment ago. Asked
    once the write's transaction is rolled back, so no savepoint is needed around it."""
    constraint = violated_check(Resident, error)
    if constraint is not None:
        return ValidationError(
            {constraint_field(constraint): constraint.get_violation_error_message()}
        )
    existing, visible = nik_holder(nik=nik, user=user, exclude_pk=exclude_pk)
    if existing is None:
        raise error
    return ValidationError(
        {"nik": duplicate_nik_message(existing=existing, visible=visible)}
    )


def _check_registration_date(registered_on: date, *, today: date) -> None:
    if registered_on > today:
        raise ValidationError(
            {"registered_on": _("Tanggal pendaftaran tidak boleh di masa depan.")}
        )


def resident_register(
    *, registered_by, today: date | None = None, **fields
) -> Resident:
    """Register a resident in the programme (the Pendaftaran stage)."""
    today = today or timezone.localdate()
    resident = Resident(registered_by=registered_by, **fields)
    _check_registration_date(resident.registered_on, today=today)
    _field_rules_check(resident)
    resident._history_user = registered_by
    try:
        with transaction.atomic():
            resident.save()
            counts_follow(None, state_of(resident))
    except IntegrityError as error:
        raise _refusal(
            error, nik=resident.nik, user=registered_by, exclude_pk=None
        ) from error
    return resident


def resident_update(
    *, resident: Resident, user, today: date | None = None, **fields
) -> Resident:
    """Correct a resident's record; the change is kept in its history."""
    try:
        return _resident_update(resident=resident, user=user, today=today, **fields)
    except IntegrityError as error:
        raise _refusal(
            error,
            nik=fields.get("nik", resident.nik),
            user=user,
            exclude_pk=resident.pk,
        ) from error


@transaction.atomic
def _resident_update(
    *, resident: Resident, user, today: date | None, **fields
) -> Resident:
    today = today or timezone.localdate()
    # Locked and read afresh: its stage dates are current, so `before` is what is counted.
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    before = state_of(resident)
    for name, value in fields.items():
        setattr(resident, name, value)
    _check_registration_date(resident.registered_on, today=today)
    _check_registered_before_stages(resident)
    _field_rules_check(resident)
    resident._history_user = user
    resident.save(update_fields=[*fields, "name_key", "updated_at"])
    counts_follow(before, state_of(resident))
    return resident


def _check_registered_before_stages(resident: Resident) -> None:
    """Pendaftaran comes first: no later stage may be reached before the registration date."""
    reached = [
        (getattr(resident, name), Resident._meta.get_field(name).verbose_name)
        for name in DERIVED_STAGE_FIELDS
        if getattr(resident, name) is not None
    ]
    if not reached:
        return
    first_date, stage = min(reached, key=lambda pair: pair[0])
    if first_date < resident.registered_on:
        raise ValidationError(
            {
                "registered_on": _(
                    "Tanggal pendaftaran tidak boleh setelah tahap %(stage)s (%(date)s)."
                )
                % {"stage": stage, "date": first_date.strftime("%d/%m/%Y")}
            }
        )


@transaction.atomic
def resident_void(*, resident: Resident, user, reason: str) -> Resident:
    """Void a registration (never deleted): the resident leaves every count."""
    reason = text_clean(reason).strip()
    if not reason:
        raise ValidationError({"reason": _("Tuliskan alasan pembatalan.")})
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if resident.is_void:
        raise ValidationError(_("Pendaftaran warga ini sudah dibatalkan."))
    before = state_of(resident)
    resident.is_void = True
    resident.void_reason = reason
    resident.voided_at = timezone.now()
    resident._history_user = user
    resident.save(update_fields=["is_void", "void_reason", "voided_at", "updated_at"])
    counts_follow(before, state_of(resident))
    return resident


def stage_record_create(
    *,
    resident: Resident,
    user,
    stage: str,
    reached_on: date,
    today: date | None = None,
    **evidence,
) -> StageRecord:
    """Record that a resident reached a stage on a date, with its evidence. The record's
    field rules are checked once, in Python; its CheckConstraints guard the INSERT, and a
    refusal is said in the constraint's own words, on its field."""
    try:
        return _stage_record_create(
            resident=resident,
            user=user,
            stage=stage,
            reached_on=reached_on,
            today=today,
            **evidence,
        )
    except IntegrityError as error:
        constraint = violated_check(StageRecord, error)
        if constraint is None:
            raise
        raise ValidationError(
            {constraint_field(constraint): constraint.get_violation_error_message()}
        ) from error


@transaction.atomic
def _stage_record_create(
    *, resident: Resident, user, stage: str, reached_on: date, today, **evidence
) -> StageRecord:
    today = today or timezone.localdate()
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if resident.is_void:
        raise ValidationError(_("Pendaftaran warga ini sudah dibatalkan."))
    if reached_on > today:
        raise ValidationError(
            {"reached_on": _("Tanggal tahap tidak boleh di masa depan.")}
        )
    if reached_on < resident.registered_on:
        raise ValidationError(
            {
                "reached_on": _(
                    "Tanggal tahap tidak boleh sebelum tanggal pendaftaran (%(date)s)."
                )
                % {"date": resident.registered_on.strftime("%d/%m/%Y")}
            }
        )
    record = StageRecord(
        resident=resident,
        stage=stage,
        reached_on=reached_on,
        recorded_by=user,
        **evidence,
    )
    _field_rules_check(record)
    record._history_user = user
    record.save()
    resident_stages_sync(resident_ids=[resident.pk], stages=[stage], locked=resident)
    return record


@transaction.atomic
def stage_record_delete(*, record: StageRecord, user) -> None:
    """Undo a stage recorded by mistake; its history keeps the trail."""
    record._history_user = user
    record.delete()
    resident_stages_sync(resident_ids=[record.resident_id], stages=[record.stage])


def access_log_write(
    *,
    user,
    action: str,
    resident: Resident | None = None,
    reason: str = "",
    detail: str = "",
) -> AccessLog:
    """Record an access to personal data (call inside the transaction of the access)."""
    return AccessLog.objects.create(
        user=user,
        username=user.get_username(),
        action=action,
        resident=resident,
        reason=text_clean(_without_niks(reason))[:255],
        detail=text_clean(_without_niks(detail))[:500],
    )


def _without_niks(text: str) -> str:
    """A NIK (or anything that could be one) never lands in a log, typed or not."""
    return NIK_LIKE.sub("[angka disamarkan]", text)


@transaction.atomic
def nik_reveal(*, resident: Resident, user, reason: str) -> str:
    """The full NIK, for a reason that is logged with who asked and when."""
    reason = text_clean(reason).strip()
    if not reason:
        raise ValidationError({"reason": _("Tuliskan alasan melihat NIK lengkap.")})
    access_log_write(
        user=user, action=AccessLog.Action.REVEAL_NIK, resident=resident, reason=reason
    )
    return resident.nik


class NikLookupLimit(Exception):
    """A user made more exact-NIK lookups this hour than NIK_LOOKUPS_PER_HOUR."""

    message = _(
        "Terlalu banyak pencarian NIK dalam satu jam. Coba lagi nanti, atau minta warga "
        "didaftarkan lewat kelurahan."
    )


def _count_nik_lookup(*, user, kind: str, per_hour: int) -> None:
    """One more NIK lookup of this kind by this user this hour; NikLookupLimit past it."""
    if limit_reached(f"{kind}:{user.pk}", limit=per_hour, window_seconds=60 * 60):
        raise NikLookupLimit


def nik_look_up(*, user, nik: str) -> Resident | None:
    """A resident found by exact NIK, rate-limited per user and logged (found or not).
    The log row is one INSERT, committed on its own (no transaction around the read)."""
    _count_nik_lookup(
        user=user, kind="nik-lookup", per_hour=settings.NIK_LOOKUPS_PER_HOUR
    )
    found = resident_find_by_nik(user=user, nik=nik)
    access_log_write(
        user=user,
        action=AccessLog.Action.LOOKUP_NIK,
        resident=found,
        detail="ditemukan" if found else "tidak ditemukan",
    )
    return found


# What anonymising writes over a resident's personal fields (and over its history).
# Kept: what they are counted by (kelurahan, gender, birth date for the age band,
# registration and stage dates) and the programme facts (education, target groups).
def _anonymous_fields(resident: Resident) -> dict:
    return {
        "nik": f"99{resident.pk:014d}",  # 99 is no province: never a real NIK
        "kk_number": "",
        "full_name": _("Warga dianonimkan %(id)s") % {"id": resident.pk},
        "name_key": "",
        "birth_place": "-",
        "phone": "0",
        "email": "",
        "address": "-",
        "rt": "0",
        "rw": "0",
        "business_name": "",
    }


@transaction.atomic
def resident_anonymise(*, resident: Resident, user, reason: str) -> Resident:
    """Erase a resident's personal data on their request (UU PDP): the record, its
    change history and the counts stay; who did it and why is logged."""
    reason = text_clean(reason).strip()
    if not reason:
        raise ValidationError({"reason": _("Tuliskan dasar permintaan penghapusan.")})
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if resident.anonymised_at:
        raise ValidationError(_("Data pribadi warga ini sudah dianonimkan."))
    fields = _anonymous_fields(resident)
    # update(), not save(): nothing counted changes, and no new history row keeps the
    # old values; the rows already in the history are overwritten the same way.
    Resident.objects.filter(pk=resident.pk).update(
        **fields, anonymised_at=timezone.now()
    )
    resident.history.update(
        **{name: value for name, value in fields.items() if name != "name_key"}
    )
    access_log_write(
        user=user, action=AccessLog.Action.ANONYMISE, resident=resident, reason=reason
    )
    resident.refresh_from_db()
    return resident


@transaction.atomic
def nik_registration_check(*, user, nik: str, exclude_pk: int | None = None) -> str:
    """The live check under the NIK field: the same message the form gives on submit if
    the NIK is already registered, else "". Limited and logged like every NIK lookup
    (a registration desk types one NIK per resident: ten times the lookup limit)."""
    _count_nik_lookup(
        user=user, kind="nik-check", per_hour=10 * settings.NIK_LOOKUPS_PER_HOUR
    )
    existing, visible = nik_holder(nik=nik, user=user, exclude_pk=exclude_pk)
    access_log_write(
        user=user,
        action=AccessLog.Action.LOOKUP_NIK,
        resident=existing,
        detail="cek saat mengetik: " + ("sudah terdaftar" if existing else "belum"),
    )
    if existing is None:
        return ""
    return duplicate_nik_message(existing=existing, visible=visible)
