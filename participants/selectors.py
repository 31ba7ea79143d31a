"""Reads about residents, limited by the one access policy (accounts.access)."""

from dataclasses import dataclass, field
from datetime import date

from django.db import connection, connections
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from accounts.access import (
    may_manage_programs,
    villages_for_enrolment,
    villages_kept_by,
    villages_visible_to,
)
from jakpreneur.semesters import Semester
from wilayah.models import District, Village

from .identity import NikError, name_normalize, nik_clean, nik_parse
from .models import STAGE_DATE_FIELDS, Resident, Stage, StageRecord

# Show "10.000+" instead of counting further: a full count of millions of rows hurts.
COUNT_CAP = 10_000


def residents_visible_to(*, user) -> QuerySet[Resident]:
    """Residents a user may see: those of the kelurahan the access policy gives them."""
    return _residents_in(villages_visible_to(user=user))


def residents_editable_by(*, user) -> QuerySet[Resident]:
    """Residents a user may change: the visible ones, for the roles that keep records."""
    return _residents_in(villages_kept_by(user=user))


def residents_enrollable_by(*, user) -> QuerySet[Resident]:
    """Active residents a user may enrol in trainings: Sudin staff those of their kota."""
    return _residents_in(villages_for_enrolment(user=user)).filter(is_void=False)


def _residents_in(villages: QuerySet[Village]) -> QuerySet[Resident]:
    residents = Resident.objects.select_related("village__district__city")
    return residents.in_villages(_village_ids(villages))


def _village_ids(villages: QuerySet[Village]) -> list[int]:
    # Village ids, not joins: the planner then walks the residents' own indexes.
    return list(villages.values_list("pk", flat=True))


def villages_for_registration(*, user) -> QuerySet[Village]:
    """Kelurahan a user may register residents in."""
    return (
        villages_kept_by(user=user)
        .select_related("district")
        .order_by("district__code", "code")
    )


def resident_find_by_nik(*, user, nik: str) -> Resident | None:
    """A resident found by exact NIK, for enrolment: Sudin staff search their whole kota."""
    nik = nik_clean(nik)
    if may_manage_programs(user):
        residents = residents_enrollable_by(user=user)
    else:
        residents = residents_visible_to(user=user).filter(is_void=False)
    return residents.filter(nik=nik).first()


def residents_search(residents: QuerySet[Resident], query: str) -> QuerySet[Resident]:
    """An exact NIK, or part of a name (any case)."""
    query = query.strip()
    if not query:
        return residents
    digits = nik_clean(query)
    if digits.isascii() and digits.isdigit() and len(digits) == 16:
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


def residents_waiting_for(
    residents: QuerySet[Resident], stage: str
) -> QuerySet[Resident]:
    """Active residents who reached the stage before this one but not this one yet."""
    stages = list(Stage)
    if stage not in STAGE_DATE_FIELDS or stage == stages[0]:
        return residents.none()
    previous = stages[stages.index(stage) - 1]
    return residents.filter(
        is_void=False,
        **{
            f"{STAGE_DATE_FIELDS[previous]}__isnull": False,
            f"{STAGE_DATE_FIELDS[stage]}__isnull": True,
        },
    )


def residents_registered_in(
    residents: QuerySet[Resident], semester: Semester
) -> QuerySet[Resident]:
    return residents.filter(registered_on__range=(semester.start, semester.end))


# A list narrowed to this many kelurahan or fewer is paged kelurahan by kelurahan (a
# clerk's: a kecamatan holds at most 11); a kota's or the city's list is paged whole.
PAGE_BY_VILLAGE_UP_TO = 16


def resident_page_ids(residents: QuerySet[Resident], start: int, stop: int) -> list:
    """The ids of rows start:stop of a resident list, in its order.

    On PostgreSQL a list narrowed to a few kelurahan (ResidentQuerySet.in_villages) is
    read kelurahan by kelurahan: each one's first `stop` rows from its own entries in the
    kelurahan index (resident_village_reg, which carries what the filters and the name
    order look at), merged in order (UNION ALL of ordered branches: a Merge Append). A
    clerk's page then costs what their own area holds. Given the kelurahan at once
    (village_id IN (...)), the planner may instead walk the whole city's newest-first
    index, filtering every row for the area: Kembangan's 'siti', newest first, read
    23,000 rows of other kota at 8.8M residents (119 ms; 42 ms at 1.6M; 0.5 ms so)."""
    villages = getattr(residents, "villages", None) or ()
    order = residents.query.order_by
    if (
        connections[residents.db].vendor != "postgresql"
        or not 1 < len(villages) <= PAGE_BY_VILLAGE_UP_TO
        or not order
    ):
        return list(residents.values_list("pk", flat=True)[start:stop])
    columns = ["id", *(name.lstrip("-") for name in order if name.lstrip("-") != "id")]
    branches = [
        residents.filter(village_id=pk).values_list(*columns)[:stop] for pk in villages
    ]
    merged = branches[0].union(*branches[1:], all=True).order_by(*order)
    return [row[0] for row in merged[start:stop]]


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
    """All seven stages in order, each with the date it was reached and its evidence."""
    records: dict[str, list[StageRecord]] = {}
    for record in resident.stage_records.select_related("recorded_by"):
        records.setdefault(record.stage, []).append(record)
    return [
        TimelineEntry(
            stage, getattr(resident, STAGE_DATE_FIELDS[stage]), records.get(stage, [])
        )
        for stage in Stage
    ]


def nik_region_name(*, district_code: str) -> str:
    """'Kecamatan Kembangan, Jakarta Barat' for a NIK's place of issue, or its code."""
    district = (
        District.objects.select_related("city").filter(code=district_code).first()
    )
    if district:
        return f"Kecamatan {district.name}, {district.city.short_name}"
    return district_code


def _twin_keys(keys: set[tuple[str, date]]) -> Q:
    """The residents whose (name_key, birth_date) is one of keys. One pair (the form): two
    equalities on the twins index. Many pairs (an import's chunk) on PostgreSQL: the pairs as
    two arrays joined on that index, one probe per pair; as two IN lists the planner took
    their cross product for a kota's worth of rows and read every resident of the kota
    (seconds a chunk at 600k residents)."""
    if len(keys) == 1 or connection.vendor != "postgresql":
        return Q(
            name_key__in={name for name, _born in keys},
            birth_date__in={born for _name, born in keys},
        )
    names, born = zip(*keys, strict=True)
    table = connection.ops.quote_name(Resident._meta.db_table)
    return Q(
        pk__in=RawSQL(  # noqa: S611 (values are parameters)
            f"SELECT r.id FROM {table} r JOIN unnest(%s::varchar[], %s::date[]) "  # noqa: S608 (the model's own table)
            "AS k(name_key, birth_date) "
            "ON r.name_key = k.name_key AND r.birth_date = k.birth_date",
            [list(names), list(born)],
        )
    )


def resident_twins(
    *, keys, city_id: int, exclude_pk: int | None = None, per_key: int = 3
) -> dict[tuple[str, date], list[Resident]]:
    """Possible duplicates: active residents of the kota with the same name (name_key) and
    birth date, at most per_key for each (name_key, birth_date) of keys; one query."""
    keys = set(keys)
    if not keys:
        return {}
    found: dict[tuple[str, date], list[Resident]] = {}
    candidates = (
        Resident.objects.select_related("village")
        .filter(_twin_keys(keys), is_void=False, village__district__city_id=city_id)
        .exclude(pk=exclude_pk)
        .order_by("-registered_on", "-id")
    )
    for resident in candidates:
        key = (resident.name_key, resident.birth_date)
        if key in keys and len(found.setdefault(key, [])) < per_key:
            found[key].append(resident)
    return found


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
        villages = Village.objects.filter(district=params["district"])
        residents = residents.in_villages(_village_ids(villages))
    if params.get("village"):
        residents = residents.in_villages([params["village"].pk])
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
    if params.get("waiting"):
        residents = residents_waiting_for(residents, params["waiting"])
    residents = residents_search(residents, params.get("q") or "")
    sort = params.get("sort") or "-registered_on"
    # "Nama A–Z" orders by the search key (the name, case and spelling folded), which the
    # kelurahan index carries: the area's entries are sorted without reading their rows.
    sort = SORT_COLUMNS.get(sort, sort)
    return residents.order_by(sort, "-id" if sort.startswith("-") else "id")


SORT_COLUMNS = {"full_name": "name_key"}
