"""Reads about Suku Dinas and field-lead coverage."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from accounts.access import Role, role_of
from reports.semesters import Semester
from wilayah.models import City, District

from .models import Agency, Enrollment, FieldLead, Program


@dataclass(frozen=True)
class CoverageRow:
    agency: Agency
    cells: list[tuple[District, FieldLead | None]]

    @property
    def gaps(self) -> int:
        return sum(lead is None for _district, lead in self.cells)


def agencies_of_city(*, city: City) -> QuerySet[Agency]:
    return (
        Agency.objects.filter(city=city).select_related("city").order_by("short_name")
    )


def coverage_matrix(
    *, city: City, agencies: QuerySet[Agency] | None = None, districts=None
) -> list[CoverageRow]:
    """Sudin x kecamatan of a kota: each cell the active field lead, or None for a gap."""
    agencies = list(agencies if agencies is not None else agencies_of_city(city=city))
    districts = list(
        districts if districts is not None else District.objects.filter(city=city)
    )
    leads = {
        (lead.agency_id, lead.district_id): lead
        for lead in FieldLead.objects.filter(
            active=True, agency__in=agencies, district__in=districts
        )
    }
    return [
        CoverageRow(
            agency=agency,
            cells=[
                (district, leads.get((agency.pk, district.pk)))
                for district in districts
            ],
        )
        for agency in agencies
    ]


def programs_visible_to(*, user) -> QuerySet[Program]:
    """Sudin staff see their own agency's trainings; kelurahan and kecamatan staff and
    pimpinan see their kota's; admins all; others none."""
    programs = Program.objects.select_related("agency__city", "district")
    role = role_of(user)
    staff = getattr(user, "staff", None)
    if role == Role.ADMIN:
        return programs
    if role == Role.SUDIN:
        return programs.filter(agency_id=staff.agency_id)
    if role == Role.PIMPINAN:
        return programs.filter(agency__city_id=staff.city_id)
    if role == Role.KECAMATAN:
        return programs.filter(agency__city_id=staff.district.city_id)
    if role == Role.KELURAHAN:
        return programs.filter(agency__city_id=staff.village.district.city_id)
    return programs.none()


def programs_managed_by(*, user) -> QuerySet[Program]:
    """Trainings a user may change, enrol into and take attendance for."""
    role = role_of(user)
    if role == Role.ADMIN:
        return programs_visible_to(user=user)
    if role == Role.SUDIN:
        return programs_visible_to(user=user)
    return Program.objects.none()


def agencies_managed_by(*, user) -> QuerySet[Agency]:
    role = role_of(user)
    if role == Role.ADMIN:
        return Agency.objects.select_related("city").order_by(
            "city__code", "short_name"
        )
    if role == Role.SUDIN:
        return Agency.objects.filter(pk=user.staff.agency_id).select_related("city")
    return Agency.objects.none()


def programs_filtered(*, user, params: dict) -> QuerySet[Program]:
    programs = programs_visible_to(user=user).annotate(
        seats_taken=Count(
            "enrollments", filter=~Q(enrollments__status=Enrollment.Status.CANCELLED)
        )
    )
    for name in ("agency", "category", "district", "status"):
        if params.get(name):
            programs = programs.filter(**{name: params[name]})
    if params.get("semester"):
        semester = Semester.parse(params["semester"])
        programs = programs.filter(start_date__range=(semester.start, semester.end))
    return programs.order_by("-start_date", "-id")


def program_seats_taken(*, program: Program) -> int:
    return program.enrollments.exclude(status=Enrollment.Status.CANCELLED).count()


def program_roster(*, program: Program) -> QuerySet[Enrollment]:
    return program.enrollments.select_related("resident__village__district").order_by(
        "resident__full_name", "id"
    )


def programs_open_for(*, resident) -> QuerySet[Program]:
    """Trainings in the resident's kota that still take participants and that they are not in."""
    return (
        Program.objects.select_related("agency__city", "district")
        .filter(
            agency__city_id=resident.village.district.city_id,
            status__in=[Program.Status.PLANNED, Program.Status.OPEN],
        )
        .exclude(enrollments__resident=resident)
        .order_by("start_date", "code")
    )


def resident_enrollments(*, resident) -> QuerySet[Enrollment]:
    return resident.enrollments.select_related("program__agency__city").order_by(
        "enrolled_on", "id"
    )


def resident_training_date(*, resident) -> date | None:
    """When the resident reached Pelatihan: the enrolment date of their first enrolment
    that is hadir or lulus."""
    first = (
        resident.enrollments.filter(status__in=Enrollment.TRAINED)
        .order_by("enrolled_on", "id")
        .values_list("enrolled_on", flat=True)
        .first()
    )
    return first


def coverage_city_for(*, user, city_code: str | None) -> City | None:
    """The kota whose coverage a user sees: their own; admins pick one (default Jakarta Barat)."""
    role = role_of(user)
    staff = getattr(user, "staff", None)
    if role == Role.PIMPINAN:
        return staff.city
    if role == Role.SUDIN:
        return staff.agency.city
    if role == Role.ADMIN:
        return City.objects.filter(code=city_code or "31.73").first()
    return None
