"""Reads about Suku Dinas and field-lead coverage."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, Count, F, Q, QuerySet, Sum, When
from django.db.models.functions import Greatest

from accounts.access import (
    cities_visible_to,
    city_id_of,
    is_admin,
    is_staff_member,
    may_manage_programs,
    role_of,
)
from accounts.models import Role
from jakpreneur.semesters import Semester
from wilayah.models import City, District

from .models import ENROLMENT_OPENS_DAYS, Agency, Enrollment, FieldLead, Program


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
    """Sudin staff see their own agency's trainings; other staff their kota's; admins all."""
    programs = Program.objects.select_related("agency__city", "district")
    if is_admin(user):
        return programs
    if role_of(user) == Role.SUDIN:
        return programs.filter(agency_id=user.staff.agency_id)
    if is_staff_member(user):
        return programs.filter(agency__city_id=city_id_of(user))
    return programs.none()


def programs_managed_by(*, user) -> QuerySet[Program]:
    """Trainings a user may change, enrol into and take attendance for."""
    if not may_manage_programs(user):
        return Program.objects.none()
    return programs_visible_to(user=user)


def agencies_managed_by(*, user) -> QuerySet[Agency]:
    agencies = Agency.objects.select_related("city").order_by(
        "city__code", "short_name"
    )
    if is_admin(user):
        return agencies
    if role_of(user) == Role.SUDIN:
        return agencies.filter(pk=user.staff.agency_id)
    return agencies.none()


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


def coverage_city_for(*, user, city_code: str | None) -> City | None:
    """The kota whose coverage a user sees: their own; admins pick one (default Jakarta Barat)."""
    cities = cities_visible_to(user=user)
    if city_code:
        return cities.filter(code=city_code).first()
    return cities.filter(code="31.73").first() if is_admin(user) else cities.first()


def coverage_agencies_for(*, user, city: City) -> QuerySet[Agency]:
    """The Sudin rows of the coverage table a user sees: a Sudin clerk only their own."""
    agencies = agencies_of_city(city=city)
    if role_of(user) == Role.SUDIN:
        return agencies.filter(pk=user.staff.agency_id)
    return agencies


def taking_enrolments(*, today: date) -> Q:
    """Trainings that take enrolments today: a status that enrols, from
    ENROLMENT_OPENS_DAYS before the start to the last day (the rule programs.services
    applies to each enrolment, as a filter)."""
    return Q(
        status__in=Program.ENROLLING,
        start_date__lte=today + timedelta(days=ENROLMENT_OPENS_DAYS),
        end_date__gte=today,
    )


def programs_open_in(
    *, district, today: date, limit: int | None = None
) -> QuerySet[Program]:
    """Trainings taking enrolments in a kecamatan now, with seats_taken (soonest first).

    With a limit, only the first `limit` are read, and their seats counted: the soonest
    ids first (an index walk), then those rows with their enrolments, so a kecamatan with
    hundreds open pays for the few shown."""
    programs = Program.objects.filter(
        taking_enrolments(today=today), district=district
    ).order_by("start_date", "code")
    if limit is not None:
        programs = Program.objects.filter(
            pk__in=list(programs.values_list("pk", flat=True)[:limit])
        ).order_by("start_date", "code")
    return programs.select_related("agency__city", "district").annotate(
        seats_taken=Count(
            "enrollments",
            filter=~Q(enrollments__status=Enrollment.Status.CANCELLED),
        )
    )


def agency_semester_programs(*, agency, semester: Semester, today: date):
    """A Sudin's trainings starting this semester, with seats taken and attendance still
    to record (enrolments left at terdaftar once the training has started): those whose
    attendance waits first, then by start."""
    return (
        Program.objects.filter(
            agency=agency, start_date__range=(semester.start, semester.end)
        )
        .select_related("district")
        .annotate(
            seats_taken=Count(
                "enrollments",
                filter=~Q(enrollments__status=Enrollment.Status.CANCELLED),
            ),
            attendance_pending=Count(
                "enrollments",
                filter=Q(
                    enrollments__status=Enrollment.Status.ENROLLED,
                    start_date__lte=today,
                ),
            ),
        )
        .alias(waiting=Case(When(attendance_pending__gt=0, then=0), default=1))
        .order_by("waiting", "start_date", "code")
    )


def agency_semester_totals(*, agency, semester: Semester, today: date) -> dict:
    """The Sudin's trainings of the semester added up in the database (however many):
    programs, seats_taken, capacity and attendance_pending (trainings with attendance to
    record)."""
    totals = (
        agency_semester_programs(agency=agency, semester=semester, today=today)
        .order_by()
        .aggregate(
            # Named apart from the annotations they add up: an aggregate named like the
            # annotation it sums reads the wrong column (0 on SQLite, an error on
            # PostgreSQL).
            all_programs=Count("id"),
            all_seats_taken=Sum("seats_taken"),
            all_capacity=Sum("capacity"),
            all_attendance_pending=Count("id", filter=Q(attendance_pending__gt=0)),
        )
    )
    return {name.removeprefix("all_"): value or 0 for name, value in totals.items()}


def programs_taking_enrolments(*, city: City | None, today: date) -> QuerySet[Program]:
    """A kota's (None: every kota's) trainings that take enrolments today by the enrolment
    rule (a status that enrols, from ENROLMENT_OPENS_DAYS before the start to the last day),
    soonest first, with seats_taken and seats_left (capacity less the enrolments not
    cancelled): one query."""
    taken = Count(
        "enrollments", filter=~Q(enrollments__status=Enrollment.Status.CANCELLED)
    )
    programs = (
        Program.objects.all()
        if city is None
        else Program.objects.filter(agency__city=city)
    )
    return (
        programs.select_related("agency__city", "district")
        .filter(taking_enrolments(today=today))
        .annotate(seats_taken=taken, seats_left=Greatest(F("capacity") - taken, 0))
        .order_by("start_date", "code")
    )
