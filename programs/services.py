"""Writes for Suku Dinas and their field leads."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jakpreneur.numbers import positive_int
from participants.models import Stage
from participants.stages import resident_stages_sync
from wilayah.models import City, District

from .models import ENROLMENT_OPENS_DAYS, Agency, Enrollment, FieldLead, Program
from .selectors import program_seats_taken

# The standard Suku Dinas every kota has (short name, full name).
STANDARD_AGENCIES = [
    ("Nakertransgi", "Suku Dinas Tenaga Kerja, Transmigrasi dan Energi"),
    ("KPKP", "Suku Dinas Ketahanan Pangan, Kelautan dan Pertanian"),
    (
        "PPKUKM",
        "Suku Dinas Perindustrian, Perdagangan, Koperasi, Usaha Kecil dan Menengah",
    ),
    ("Sosial", "Suku Dinas Sosial"),
    ("Parekraf", "Suku Dinas Pariwisata dan Ekonomi Kreatif"),
    (
        "PPAPP",
        "Suku Dinas Pemberdayaan, Perlindungan Anak dan Pengendalian Penduduk",
    ),
]


@dataclass
class AgencyLoadResult:
    created: int
    total: int
    cities: int

    def summary(self) -> str:
        return (
            f"Suku Dinas: {self.total} di {self.cities} kota "
            f"(baru {self.created}, tetap {self.total - self.created})"
        )


@transaction.atomic
def agencies_load_standard() -> AgencyLoadResult:
    """Give every kota the standard Suku Dinas; existing ones are left as admins set them."""
    created = 0
    cities = list(City.objects.all())
    for city in cities:
        for short_name, name in STANDARD_AGENCIES:
            _agency, was_created = Agency.objects.get_or_create(
                city=city, short_name=short_name, defaults={"name": name}
            )
            created += was_created
    return AgencyLoadResult(
        created=created, total=Agency.objects.count(), cities=len(cities)
    )


@transaction.atomic
def field_lead_create(
    *,
    agency: Agency,
    district: District,
    name: str,
    phone: str = "",
    office_phone: str = "",
    title: str = FieldLead.Title.KASATPEL,
) -> FieldLead:
    """Appoint the active field lead of an agency in a kecamatan."""
    lead = FieldLead(
        agency=agency,
        district=district,
        name=name,
        phone=phone,
        office_phone=office_phone,
        title=title,
    )
    lead.full_clean()
    lead.save()
    return lead


def program_next_code(*, agency: Agency, year: int) -> str:
    """KOTA-SUDIN-TAHUN-URUT, e.g. JB-PPKUKM-2025-014 (call with the agency row locked)."""
    prefix = f"{agency.city.abbreviation}-{agency.short_name.upper()}-{year}-"
    numbers = [
        positive_int(code.removeprefix(prefix)) or 0
        for code in Program.objects.filter(code__startswith=prefix).values_list(
            "code", flat=True
        )
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


@transaction.atomic
def program_create(*, agency: Agency, created_by, **fields) -> Program:
    """A new training with the next free code of its agency and year."""
    # Lock the agency: two clerks creating trainings at once must not get one code.
    agency = Agency.objects.select_for_update().select_related("city").get(pk=agency.pk)
    program = Program(agency=agency, created_by=created_by, **fields)
    if program.start_date:
        program.code = program_next_code(agency=agency, year=program.start_date.year)
    program.full_clean()
    program._history_user = created_by
    program.save()
    return program


@transaction.atomic
def program_update(*, program: Program, user, **fields) -> Program:
    """Change a training; a cancelled one is closed, and the quota never drops below the
    residents already in it."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.status == Program.Status.CANCELLED:
        raise ValidationError(_("Pelatihan yang sudah batal tidak dapat diubah."))
    attribution = (program.agency_id, program.category)
    for name, value in fields.items():
        setattr(program, name, value)
    taken = program_seats_taken(program=program)
    if program.capacity is not None and program.capacity < taken:
        raise ValidationError(
            {
                "capacity": _(
                    "Kuota tidak boleh kurang dari jumlah peserta yang sudah terdaftar (%(n)d)."
                )
                % {"n": taken}
            }
        )
    if program.status == Program.Status.CANCELLED:
        if program.enrollments.filter(status__in=Enrollment.TRAINED).exists():
            raise ValidationError(
                {
                    "status": _(
                        "Sudah ada peserta yang hadir atau lulus: pelatihan ini tidak dapat "
                        "dibatalkan."
                    )
                }
            )
        program.enrollments.filter(status=Enrollment.Status.ENROLLED).update(
            status=Enrollment.Status.CANCELLED
        )
    program.full_clean()
    program._history_user = user
    program.save()
    if (program.agency_id, program.category) != attribution:
        # Residents trained here are broken down by this training's Sudin and category.
        resident_stages_sync(
            resident_ids=program.enrollments.filter(
                status__in=Enrollment.TRAINED
            ).values_list("resident_id", flat=True),
            stages=[Stage.PELATIHAN],
        )
    return program


def enrollment_check(
    *, program: Program, resident, enrolled_on: date, today: date
) -> None:
    """May this resident be enrolled in this programme on this date? ValidationError if not
    (the enrolment form, the checklist and imports ask the same)."""
    if program.status not in Program.ENROLLING:
        raise ValidationError(
            _("Pelatihan berstatus %(status)s tidak menerima peserta baru.")
            % {"status": program.get_status_display()}
        )
    if resident.is_void:
        raise ValidationError(
            {
                "resident": _("Pendaftaran %(name)s di Jakpreneur sudah dibatalkan.")
                % {"name": resident.full_name}
            }
        )
    if resident.village.district.city_id != program.agency.city_id:
        raise ValidationError(
            {
                "resident": _(
                    "%(name)s berdomisili di kota lain: pelatihan ini untuk warga "
                    "%(city)s."
                )
                % {"name": resident.full_name, "city": program.agency.city.short_name}
            }
        )
    if enrolled_on > today:
        raise ValidationError({"enrolled_on": _("Tanggal tidak boleh di masa depan.")})
    opens = program.start_date - timedelta(days=ENROLMENT_OPENS_DAYS)
    if not opens <= enrolled_on <= program.end_date:
        # The enrolment date becomes the Pelatihan date: it must belong to this training.
        raise ValidationError(
            {
                "enrolled_on": _(
                    "Tanggal daftar pelatihan harus antara %(opens)s dan %(ends)s "
                    "(paling awal %(days)d hari sebelum pelatihan mulai, paling lambat "
                    "hari terakhir pelatihan)."
                )
                % {
                    "opens": opens.strftime("%d/%m/%Y"),
                    "ends": program.end_date.strftime("%d/%m/%Y"),
                    "days": ENROLMENT_OPENS_DAYS,
                }
            }
        )
    if enrolled_on < resident.registered_on:
        raise ValidationError(
            {
                "enrolled_on": _(
                    "%(name)s baru terdaftar di Jakpreneur pada %(date)s; tanggal pelatihan "
                    "tidak boleh sebelum itu."
                )
                % {
                    "name": resident.full_name,
                    "date": resident.registered_on.strftime("%d/%m/%Y"),
                }
            }
        )


@transaction.atomic
def enrollment_create_many(
    *,
    program: Program,
    residents,
    user,
    enrolled_on: date | None = None,
    today: date | None = None,
) -> list[Enrollment]:
    """Enrol residents in a training, all or none, within its quota."""
    today = today or timezone.localdate()
    enrolled_on = enrolled_on or today
    # Lock the programme: two clerks may race for the last seat. (Its Sudin and kota are
    # read along for the checks, not locked.)
    program = (
        Program.objects.select_related("agency__city")
        .select_for_update(of=("self",))
        .get(pk=program.pk)
    )
    residents = list(residents)
    already = set(
        program.enrollments.filter(resident__in=residents)
        .order_by()  # (the default order joins the programme and the residents)
        .values_list("resident_id", flat=True)
    )
    for resident in residents:
        if resident.pk in already:
            raise ValidationError(
                {
                    "resident": _("%(name)s sudah terdaftar di pelatihan ini.")
                    % {"name": resident.full_name}
                }
            )
        enrollment_check(
            program=program, resident=resident, enrolled_on=enrolled_on, today=today
        )
    seats_left = program.capacity - program_seats_taken(program=program)
    if len(residents) > seats_left:
        raise ValidationError(
            _("Kuota pelatihan tidak cukup: sisa %(left)d kursi untuk %(asked)d warga.")
            % {"left": max(seats_left, 0), "asked": len(residents)}
        )
    enrollments = []
    for resident in residents:
        enrollment = Enrollment(
            resident=resident,
            program=program,
            enrolled_on=enrolled_on,
            enrolled_by=user,
        )
        enrollment._history_user = user
        try:
            # No savepoint: a refusal ends the whole enrolment (all or none).
            enrollment.save()
        except IntegrityError as error:
            raise ValidationError(
                {
                    "resident": _("%(name)s sudah terdaftar di pelatihan ini.")
                    % {"name": resident.full_name}
                }
            ) from error
        enrollments.append(enrollment)
    return enrollments


def enrollment_create(*, program: Program, resident, user, **kwargs) -> Enrollment:
    """Enrol one resident (see enrollment_create_many)."""
    return enrollment_create_many(
        program=program, residents=[resident], user=user, **kwargs
    )[0]


_STATUS_VALUES = frozenset(Enrollment.Status.values)  # (a list built on each access)


def enrollment_status_check(
    *, program: Program, resident, old: str | None, new: str, today: date
) -> None:
    """May an enrolment go from status old (None: a new one) to new? ValidationError if not."""
    if new not in _STATUS_VALUES:
        raise ValidationError(_("Status tidak dikenal: %(status)s") % {"status": new})
    name = resident.full_name
    if new in Enrollment.TRAINED and program.start_date > today:
        raise ValidationError(
            _(
                "%(name)s: kehadiran baru dapat dicatat setelah pelatihan dimulai (%(date)s)."
            )
            % {"name": name, "date": program.start_date.strftime("%d/%m/%Y")}
        )
    if old == Enrollment.Status.CANCELLED and new != old and resident.is_void:
        raise ValidationError(
            _("Pendaftaran %(name)s di Jakpreneur sudah dibatalkan.") % {"name": name}
        )


@transaction.atomic
def roster_update(
    *, program: Program, statuses: dict[int, str], user, today: date | None = None
) -> int:
    """Set attendance and completion for a whole class in one go: all rows or none."""
    today = today or timezone.localdate()
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.status == Program.Status.CANCELLED:
        raise ValidationError(_("Pelatihan yang sudah batal tidak dapat diubah."))
    enrollments = {
        e.pk: e
        for e in program.enrollments.select_for_update()
        .select_related("resident")
        .filter(pk__in=statuses)
    }
    if set(statuses) - set(enrollments):
        raise ValidationError(
            _("Daftar peserta berubah sejak halaman dibuka; muat ulang halaman.")
        )
    cancelled = Enrollment.Status.CANCELLED
    changed = []
    seats = program_seats_taken(program=program)
    for pk, status in statuses.items():
        enrollment = enrollments[pk]
        if status == enrollment.status:
            continue
        enrollment_status_check(
            program=program,
            resident=enrollment.resident,
            old=enrollment.status,
            new=status,
            today=today,
        )
        if enrollment.status == cancelled:
            seats += 1
        elif status == cancelled:
            seats -= 1
        enrollment.status = status
        changed.append(enrollment)
    if seats > program.capacity:
        raise ValidationError(_("Kuota pelatihan sudah penuh."))
    for enrollment in changed:
        enrollment._history_user = user
        enrollment.save(update_fields=["status", "updated_at"])
    resident_stages_sync(
        resident_ids=[e.resident_id for e in changed], stages=[Stage.PELATIHAN]
    )
    return len(changed)
