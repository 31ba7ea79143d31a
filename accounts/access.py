"""The one access policy: who may see and do what. Deny by default.

Every role group is written here once. Views ask the `may_*` questions; selectors in the apps
limit what a user sees to the places this module gives them (`villages_visible_to`,
`districts_visible_to`, `cities_visible_to`, `city_id_of`). Admins (and superusers) pass
everywhere; a user without a staff profile has no role and sees nothing.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from wilayah.models import City, District, Village

from .models import Role

# Roles that keep residents' records: register, edit, void, record stages, see the full NIK.
RECORD_KEEPERS = frozenset({Role.KELURAHAN, Role.KECAMATAN, Role.ADMIN})
# Roles that read the resident lists of their area.
RESIDENT_READERS = RECORD_KEEPERS | {Role.PIMPINAN}
# Roles that find one resident of their kota by exact NIK (Sudin staff, before enrolling).
NIK_LOOKERS = RESIDENT_READERS | {Role.SUDIN}
# Roles that run trainings: create, edit, enrol, take attendance.
PROGRAM_RUNNERS = frozenset({Role.SUDIN, Role.ADMIN})
# Roles that see a training's participant list (roster, daftar hadir).
ROSTER_READERS = PROGRAM_RUNNERS | {Role.PIMPINAN}
# Roles that see the Sudin × kecamatan coverage of field leads.
COVERAGE_READERS = frozenset({Role.SUDIN, Role.PIMPINAN, Role.ADMIN})
# Roles that read progress reports and dashboards (the whole kota).
REPORT_READERS = frozenset({Role.PIMPINAN, Role.ADMIN})
# Roles that import registrations and attendance from spreadsheets (each within what
# they may register, edit and enrol).
IMPORTERS = RECORD_KEEPERS | PROGRAM_RUNNERS
# Roles that record outreach (sosialisasi) activities, each within their area or Sudin.
OUTREACH_RECORDERS = frozenset({Role.KELURAHAN, Role.KECAMATAN, Role.SUDIN, Role.ADMIN})
# Roles that read the outreach activities of their area (pimpinan: their kota).
OUTREACH_READERS = OUTREACH_RECORDERS | {Role.PIMPINAN}
# Every staff role.
STAFF = frozenset(Role)


def role_of(user) -> str | None:
    """The user's role; superusers are admins; a user without a profile has none."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    profile = getattr(user, "staff", None)
    return profile.role if profile else None


def _in(user, roles) -> bool:
    return role_of(user) in roles


def is_staff_member(user) -> bool:
    return _in(user, STAFF)


def is_admin(user) -> bool:
    return role_of(user) == Role.ADMIN


def may_list_residents(user) -> bool:
    return _in(user, RESIDENT_READERS)


def may_keep_records(user) -> bool:
    """Register, edit and void residents, record their stages."""
    return _in(user, RECORD_KEEPERS)


def may_reveal_nik(user) -> bool:
    return _in(user, RECORD_KEEPERS)


def may_look_up_by_nik(user) -> bool:
    return _in(user, NIK_LOOKERS)


def may_manage_programs(user) -> bool:
    return _in(user, PROGRAM_RUNNERS)


def may_propose_residents(user) -> bool:
    """Kelurahan and kecamatan staff propose their residents for open trainings."""
    return _in(user, RECORD_KEEPERS)


def may_handle_applications(user) -> bool:
    """Verify online applications (accept, ask to come in, reject): those who register
    the residents of the application's kelurahan (villages_kept_by gives which)."""
    return _in(user, RECORD_KEEPERS)


def may_import(user) -> bool:
    return _in(user, IMPORTERS)


def may_read_rosters(user) -> bool:
    return _in(user, ROSTER_READERS)


def may_see_coverage(user) -> bool:
    return _in(user, COVERAGE_READERS)


def may_read_reports(user) -> bool:
    return _in(user, REPORT_READERS)


def role_required(*roles: str):
    """Refuse (403) every user whose role is not one of roles; admins always pass."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            role = role_of(request.user)
            if role is None or (role not in roles and role != Role.ADMIN):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def city_id_of(user) -> int | None:
    """The kota a staff member works in (None for admins and users without a role)."""
    role = role_of(user)
    staff = getattr(user, "staff", None)
    if role == Role.PIMPINAN:
        return staff.city_id
    if role == Role.SUDIN:
        return staff.agency.city_id
    if role == Role.KECAMATAN:
        return staff.district.city_id
    if role == Role.KELURAHAN:
        return staff.village.district.city_id
    return None


def villages_visible_to(*, user) -> QuerySet[Village]:
    """Kelurahan whose residents a user may read: their kelurahan, kecamatan or kota."""
    villages = Village.objects.all()
    role = role_of(user)
    staff = getattr(user, "staff", None)
    if role == Role.ADMIN:
        return villages
    if role == Role.PIMPINAN:
        return villages.filter(district__city_id=staff.city_id)
    if role == Role.KECAMATAN:
        return villages.filter(district_id=staff.district_id)
    if role == Role.KELURAHAN:
        return villages.filter(pk=staff.village_id)
    return villages.none()


def villages_kept_by(*, user) -> QuerySet[Village]:
    """Kelurahan whose residents a user may register and edit."""
    if not may_keep_records(user):
        return Village.objects.none()
    return villages_visible_to(user=user)


def villages_for_enrolment(*, user) -> QuerySet[Village]:
    """Kelurahan whose residents a user may enrol in trainings: Sudin staff their kota."""
    if role_of(user) == Role.SUDIN:
        # Their Sudin's kota, joined in the same query (the Sudin is not read first).
        return Village.objects.filter(district__city__agencies=user.staff.agency_id)
    return villages_kept_by(user=user)


def districts_visible_to(*, user) -> QuerySet[District]:
    """Kecamatan a user's lists may be filtered by."""
    return District.objects.filter(
        pk__in=villages_visible_to(user=user).values("district_id")
    ).order_by("code")


def cities_visible_to(*, user) -> QuerySet[City]:
    """Kota whose reports and coverage a user may read: their own; admins every kota."""
    cities = City.objects.order_by("code")
    if is_admin(user):
        return cities
    if not is_staff_member(user):
        return cities.none()
    return cities.filter(pk=city_id_of(user))


# --- Outreach (sosialisasi) -----------------------------------------------------------
# Kecamatan staff record for their kecamatan (local to any of its kelurahan or not);
# kelurahan staff for their own kelurahan (an activity they record is local to it); Sudin
# staff in any kecamatan of their kota, organised by their Sudin. Each may correct and
# delete the activities of that same scope (a colleague's too: the desk is shared).
# Pimpinan read their kota's; admins everything.


def may_record_outreach(user) -> bool:
    return _in(user, OUTREACH_RECORDERS)


def may_read_outreach(user) -> bool:
    return _in(user, OUTREACH_READERS)


def districts_for_outreach(*, user) -> QuerySet[District]:
    """Kecamatan in which a user may record outreach activities."""
    districts = District.objects.order_by("code")
    role = role_of(user)
    staff = getattr(user, "staff", None)
    if role == Role.ADMIN:
        return districts
    if role == Role.SUDIN:
        return districts.filter(city_id=staff.agency.city_id)
    if role == Role.KECAMATAN:
        return districts.filter(pk=staff.district_id)
    if role == Role.KELURAHAN:
        return districts.filter(pk=staff.village.district_id)
    return districts.none()


def villages_for_outreach(*, user) -> QuerySet[Village]:
    """Kelurahan an outreach activity a user records may be local to."""
    role = role_of(user)
    if role == Role.KELURAHAN:
        return Village.objects.filter(pk=user.staff.village_id)
    return Village.objects.filter(district__in=districts_for_outreach(user=user))


def outreach_local_required(user) -> bool:
    """Kelurahan staff record only what happened in their own kelurahan."""
    return role_of(user) == Role.KELURAHAN


def outreach_agency_of(user):
    """The Sudin a user's outreach is organised by (Sudin staff), else None: any Sudin of
    the kecamatan's kota or an office may organise it."""
    return user.staff.agency if role_of(user) == Role.SUDIN else None


def districts_with_outreach_visible_to(*, user) -> QuerySet[District]:
    """Kecamatan whose outreach activities a user reads: kelurahan and kecamatan staff
    their kecamatan, Sudin staff and pimpinan their kota, admins every kecamatan."""
    role = role_of(user)
    if role not in OUTREACH_READERS:
        return District.objects.none()
    if role in (Role.SUDIN, Role.PIMPINAN):
        return District.objects.filter(city_id=city_id_of(user)).order_by("code")
    return districts_for_outreach(user=user)


def outreach_kept_by(user) -> Q:
    """Of the activities a user reads, those they may correct and delete (a filter on
    outreach.OutreachActivity's district, village and agency)."""
    role = role_of(user)
    staff = getattr(user, "staff", None)
    if role == Role.ADMIN:
        return Q()
    if role == Role.KECAMATAN:
        return Q(district_id=staff.district_id)
    if role == Role.KELURAHAN:
        return Q(village_id=staff.village_id)
    if role == Role.SUDIN:
        return Q(agency_id=staff.agency_id)
    return Q(pk__in=[])
