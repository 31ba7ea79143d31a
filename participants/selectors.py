"""Reads about residents. The one place that says who may see which resident."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet

from accounts.access import Role, role_of
from programs.selectors import resident_training_date
from reports.semesters import Semester
from wilayah.models import District, Village

from .identity import NikError, name_normalize, nik_clean, nik_parse
from .models import STAGE_DATE_FIELDS, Resident, Stage, StageRecord

# Show "10.000+" instead of counting further: a full count of millions of rows hurts.
COUNT_CAP = 10_000


def residents_visible_to(*, user) -> QuerySet[Resident]:
    """Residents a user may see: their kelurahan, kecamatan or kota; admins all; others none."""
    residents = Resident.objects.select_related("village__district__city")
    role = role_of(user)
    staff = getattr(user, "staff", None)
    if role == Role.ADMIN:
        return residents
    # Village ids, not joins: the planner then walks the residents' own indexes.
    if role == Role.PIMPINAN:
        return residents.filter(
            village_id__in=_village_ids(district__city_id=staff.city_id)
        )
    if role == Role.KECAMATAN:
        return residents.filter(
            village_id__in=_village_ids(district_id=staff.district_id)
        )
    if role == Role.KELURAHAN:
        return residents.filter(village_id=staff.village_id)
    return residents.none()


def _village_ids(**filters) -> list[int]:
    return list(Village.objects.filter(**filters).values_list("pk", flat=True))


def residents_editable_by(*, user) -> QuerySet[Resident]:
    """Residents a user may change: the visible ones, for the roles that keep records."""
    if role_of(user) in {Role.KELURAHAN, Role.KECAMATAN, Role.ADMIN}:
        return residents_visible_to(user=user)
    return Resident.objects.none()


def villages_for_registration(*, user) -> QuerySet[Village]:
    """Kelurahan a user may register residents in."""
    villages = Village.objects.select_related("district").order_by(
        "district__code", "code"
    )
    role = role_of(user)
    staff = getattr(user, "staff", None)
    if role == Role.ADMIN:
        return villages
    if role == Role.KECAMATAN:
        return villages.filter(district_id=staff.district_id)
    if role == Role.KELURAHAN:
        return villages.filter(pk=staff.village_id)
    return villages.none()


def districts_visible_to(*, user) -> QuerySet[District]:
    """Kecamatan a user's lists may be filtered by."""
    districts = District.objects.order_by("code")
    role = role_of(user)
    staff = getattr(user, "staff", None)
    if role == Role.ADMIN:
        return districts
    if role == Role.PIMPINAN:
        return districts.filter(city_id=staff.city_id)
    if role in {Role.KECAMATAN, Role.KELURAHAN}:
        district_id = (
            staff.district_id if role == Role.KECAMATAN else staff.village.district_id
        )
        return districts.filter(pk=district_id)
    return districts.none()


def resident_find_by_nik(*, user, nik: str) -> Resident | None:
    """A resident found by exact NIK, for enrolment: Sudin staff search their whole kota."""
    nik = nik_clean(nik)
    if role_of(user) == Role.SUDIN:
        residents = Resident.objects.select_related("village__district__city").filter(
            village_id__in=_village_ids(district__city_id=user.staff.agency.city_id)
        )
    else:
        residents = residents_visible_to(user=user)
    return residents.filter(nik=nik, is_void=False).first()


def residents_search(residents: QuerySet[Resident], query: str) -> QuerySet[Resident]:
    """An exact NIK, or part of a name (any case)."""
    query = query.strip()
    if not query:
        return residents
    digits = nik_clean(query)
    if digits.isdigit() and len(digits) == 16:
        return residents.filter(nik=digits)
    key = name_normalize(query)
    return residents.filter(name_key__contains=key) if key else residents


def residents_reached_stage(
    residents: QuerySet[Resident], stage: str
) -> QuerySet[Resident]:
    """Residents who have reached a stage (every registered resident reached Pendaftaran)."""
    if stage not in STAGE_DATE_FIELDS:
        return residents.none()
    return residents.filter(**{f"{STAGE_DATE_FIELDS[stage]}__isnull": False})


def residents_registered_in(
    residents: QuerySet[Resident], semester: Semester
) -> QuerySet[Resident]:
    return residents.filter(registered_on__range=(semester.start, semester.end))


def count_capped(queryset: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, more): counts at most cap + 1 rows, so big lists never pay for a full count."""
    count = queryset.order_by()[: cap + 1].count()
    return min(count, cap), count > cap


@dataclass
class TimelineEntry:
    stage: Stage
    reached_on: date | None
    records: list[StageRecord] = field(default_factory=list)


def resident_timeline(*, resident: Resident) -> list[TimelineEntry]:
    """All seven stages in order, each with the date it was first reached and its evidence."""
    records: dict[str, list[StageRecord]] = {}
    for record in resident.stage_records.select_related("recorded_by"):
        records.setdefault(record.stage, []).append(record)
    timeline = []
    for stage in Stage:
        if stage == Stage.PENDAFTARAN:
            timeline.append(TimelineEntry(stage, resident.registered_on))
            continue
        if stage == Stage.PELATIHAN:
            timeline.append(
                TimelineEntry(stage, resident_training_date(resident=resident))
            )
            continue
        stage_records = records.get(stage, [])
        first = min((r.reached_on for r in stage_records), default=None)
        timeline.append(TimelineEntry(stage, first, stage_records))
    return timeline


def nik_region_name(*, district_code: str) -> str:
    """'Kecamatan Kembangan, Jakarta Barat' for a NIK's place of issue, or its code."""
    district = (
        District.objects.select_related("city").filter(code=district_code).first()
    )
    if district:
        return f"Kecamatan {district.name}, {district.city.short_name}"
    return district_code


def nik_describe(*, nik: str, today: date | None = None):
    """(NikInfo, region name) or (NikError, None) for the live preview on the form."""
    try:
        info = nik_parse(nik, today=today)
    except NikError as error:
        return error, None
    return info, nik_region_name(district_code=info.district_code)


def residents_filtered(*, user, params: dict) -> QuerySet[Resident]:
    """The list and its exports: visible residents narrowed by the cleaned filter form."""
    residents = residents_visible_to(user=user)
    status = params.get("status") or "active"
    if status == "active":
        residents = residents.filter(is_void=False)
    elif status == "void":
        residents = residents.filter(is_void=True)
    if params.get("district"):
        residents = residents.filter(
            village_id__in=_village_ids(district=params["district"])
        )
    if params.get("village"):
        residents = residents.filter(village=params["village"])
    if params.get("gender"):
        residents = residents.filter(gender=params["gender"])
    if params.get("group"):
        residents = residents.filter(**{params["group"]: True})
    if params.get("semester"):
        residents = residents_registered_in(
            residents, Semester.parse(params["semester"])
        )
    if params.get("stage"):
        residents = residents_reached_stage(residents, params["stage"])
    residents = residents_search(residents, params.get("q") or "")
    sort = params.get("sort") or "-registered_on"
    return residents.order_by(sort, "-id" if sort.startswith("-") else "id")
