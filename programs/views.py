from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from accounts.access import (
    cities_visible_to,
    is_admin,
    is_staff_member,
    may_manage_programs,
    may_propose_residents,
    may_read_rosters,
    may_see_coverage,
    villages_for_enrolment,
)
from jakpreneur.numbers import positive_int
from jakpreneur.pagination import MAX_PAGE, page_of
from jakpreneur.spreadsheets import Column, xlsx_bytes, xlsx_response, xlsx_sheet
from participants.identity import nik_mask
from participants.models import AccessLog
from participants.selectors import residents_editable_by, residents_enrollable_by
from participants.services import NikLookupLimit, access_log_write, nik_look_up
from wilayah.models import District

from .forms import (
    ROSTER_CHOICES,
    EnrollByNikForm,
    ProgramFilterForm,
    ProgramForm,
    ProposeForm,
)
from .models import Agency, Enrollment, Program
from .selectors import (
    agencies_managed_by,
    coverage_agencies_for,
    coverage_city_for,
    coverage_matrix,
    program_roster,
    program_seats_taken,
    programs_filtered,
    programs_managed_by,
    programs_open_for,
    programs_visible_to,
    resident_enrollments,
)
from .services import (
    enrollment_create,
    enrollment_create_many,
    program_create,
    program_update,
    roster_update,
)


def program_list(request):
    if not is_staff_member(request.user):
        raise PermissionDenied
    programs = programs_visible_to(user=request.user)
    agencies = Agency.objects.filter(pk__in=programs.values("agency")).select_related(
        "city"
    )
    districts = District.objects.filter(pk__in=programs.values("district")).order_by(
        "code"
    )
    form = ProgramFilterForm(
        request.GET or None, agencies=agencies, districts=districts
    )
    params = form.cleaned_data if form.is_valid() else {}
    page = page_of(request, programs_filtered(user=request.user, params=params))
    return render(
        request,
        "programs/list.html",
        {
            "form": form,
            "page": page,
            "may_manage": may_manage_programs(request.user),
        },
    )


def program_create_view(request):
    if not may_manage_programs(request.user):
        raise PermissionDenied
    form = ProgramForm(
        request.POST or None, agencies=agencies_managed_by(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            program = program_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Pelatihan %(code)s dibuat.") % {"code": program.code}
            )
            return redirect(program)
    return render(
        request, "programs/form.html", {"form": form, "title": _("Pelatihan baru")}
    )


def _managed(request, pk) -> Program:
    """A programme this user runs: 404 when it is not theirs to see, 403 when read-only."""
    # The common answer in one read; only a refusal asks whether it is visible at all.
    program = programs_managed_by(user=request.user).filter(pk=pk).first()
    if program is None:
        if programs_visible_to(user=request.user).filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404
    return program


def program_edit(request, pk):
    program = _managed(request, pk)
    if program.status == Program.Status.CANCELLED:
        messages.error(request, _("Pelatihan yang sudah batal tidak dapat diubah."))
        return redirect(program)
    form = ProgramForm(
        request.POST or None,
        instance=program,
        agencies=agencies_managed_by(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "agency"}
        try:
            program_update(program=program, user=request.user, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Pelatihan disimpan."))
            return redirect(program)
    return render(
        request,
        "programs/form.html",
        {"form": form, "program": program, "title": _("Ubah pelatihan")},
    )


# Roster rows a page: a class of a few dozen fits one; a big one is marked page by page
# (each page's form saves its own rows), and a page never renders the thousands of rows
# of a year-long open class, also not when a NIK form error re-renders it.
ROSTER_PER_PAGE = 50


def program_detail(request, pk, *, nik_form=None, status=200):
    program = get_object_or_404(programs_visible_to(user=request.user), pk=pk)
    manages = programs_managed_by(user=request.user).filter(pk=pk).exists()
    roster = (
        page_of(request, program_roster(program=program), per_page=ROSTER_PER_PAGE)
        if manages or may_read_rosters(request.user)
        else None
    )
    return render(
        request,
        "programs/detail.html",
        {
            "program": program,
            "manages": manages and program.status != Program.Status.CANCELLED,
            "roster": roster,
            "page": roster,
            "seats_taken": program_seats_taken(program=program),
            "nik_form": nik_form or EnrollByNikForm(),
            "choices": ROSTER_CHOICES,
            "villages": _villages_for(request, program) if manages else [],
        },
        status=status,
    )


def _villages_for(request, program):
    """Kelurahan whose residents this user may enrol in this programme (its kota)."""
    return (
        villages_for_enrolment(user=request.user)
        .filter(district__city_id=program.agency.city_id)
        .select_related("district")
        .order_by("code")
    )


@require_POST
@sensitive_post_parameters("nik")
def enroll_by_nik(request, pk):
    program = _managed(request, pk)
    form = EnrollByNikForm(request.POST)
    resident = None
    if form.is_valid():
        try:
            resident = nik_look_up(user=request.user, nik=form.cleaned_data["nik"])
        except NikLookupLimit as limit:
            form.add_error("nik", limit.message)
    if form.is_valid():
        if resident is None:
            form.add_error(
                "nik",
                _(
                    "Tidak ada warga terdaftar dengan NIK itu di kota ini. Warga harus didaftarkan dulu oleh kelurahan."
                ),
            )
        else:
            try:
                enrollment_create(
                    program=program,
                    resident=resident,
                    user=request.user,
                    enrolled_on=form.cleaned_data["enrolled_on"],
                )
            except ValidationError as error:
                _add_errors(form, error, field_map={"resident": "nik"})
            else:
                messages.success(
                    request,
                    _("%(name)s didaftarkan ke pelatihan.")
                    % {"name": resident.full_name},
                )
                return redirect(program)
    return program_detail(request, pk, nik_form=form, status=400)


def _add_errors(form, error: ValidationError, *, field_map: dict[str, str]) -> None:
    """Put a service's errors on the form fields they are about."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            target = field_map.get(field, field)
            form.add_error(target if target in form.fields else None, messages_)
    else:
        form.add_error(None, error)


def enroll_village(request, pk):
    """Enrol many residents of one kelurahan at once from a checklist."""
    program = _managed(request, pk)
    villages = _villages_for(request, program)
    village = None
    village_id = positive_int(request.GET.get("village") or request.POST.get("village"))
    if village_id:
        village = villages.filter(pk=village_id).first()
    candidates = []
    if village:
        candidates = list(
            residents_enrollable_by(user=request.user)
            .filter(village=village)
            .exclude(enrollments__program=program)
            .order_by("full_name")[:500]
        )
        # A list of residents' names is personal data: who opened which one is logged.
        access_log_write(
            user=request.user,
            action=AccessLog.Action.LIST_FOR_ENROLMENT,
            detail=f"{program.code} · {village.code} · {len(candidates)} warga",
        )
    errors = []
    if request.method == "POST" and village:
        chosen_ids = set(map(positive_int, request.POST.getlist("residents")))
        chosen = [r for r in candidates if r.pk in chosen_ids]
        if not chosen:
            errors.append(_("Pilih minimal satu warga."))
        else:
            try:
                enrollment_create_many(
                    program=program, residents=chosen, user=request.user
                )
            except ValidationError as error:
                errors.extend(error.messages)
            else:
                messages.success(
                    request,
                    _("%(n)d warga didaftarkan ke pelatihan.") % {"n": len(chosen)},
                )
                return redirect(program)
    villages = list(villages)  # read once: the select and the default below
    return render(
        request,
        "programs/enroll_village.html",
        {
            "program": program,
            "village": village,
            "villages": villages,
            # Until one is chosen, the list starts at the training's own kecamatan.
            "first_of_venue": next(
                (
                    n
                    for n, v in enumerate(villages)
                    if v.district_id == program.district_id
                ),
                None,
            ),
            "candidates": candidates,
            "errors": errors,
            "seats_left": program.capacity - program_seats_taken(program=program),
            "chosen": set(request.POST.getlist("residents")),
        },
        status=400 if errors else 200,
    )


@require_POST
def roster_save(request, pk):
    program = _managed(request, pk)
    statuses = {}
    for key, value in request.POST.items():
        enrollment_id = positive_int(key.removeprefix("status-"))
        if key.startswith("status-") and enrollment_id:
            statuses[enrollment_id] = value
    try:
        changed = roster_update(program=program, statuses=statuses, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return program_detail(request, pk, status=400)
    messages.success(
        request, _("Kehadiran disimpan (%(n)d perubahan).") % {"n": changed}
    )
    # Back to the page of the roster that was saved.
    number = positive_int(request.GET.get("page", ""), maximum=MAX_PAGE)
    return redirect(
        program.get_absolute_url()
        + (f"?page={number}" if number and number > 1 else "")
    )


def _roster_for_export(request, pk):
    program = get_object_or_404(programs_visible_to(user=request.user), pk=pk)
    if not may_read_rosters(request.user):
        raise PermissionDenied
    return program, program_roster(program=program)


def roster_xlsx(request, pk):
    program, roster = _roster_for_export(request, pk)
    workbook = Workbook(write_only=True)
    xlsx_sheet(
        workbook,
        _("Peserta"),
        [
            Column(_("No."), 5),
            Column(_("Nama"), 28),
            Column(_("NIK"), 20),
            Column(_("Jenis kelamin"), 12),
            Column(_("Kelurahan"), 20),
            Column(_("Kecamatan"), 18),
            Column(_("Tanggal daftar"), 12),
            Column(_("Status"), 12),
        ],
        (
            [
                number,
                enrollment.resident.full_name,
                nik_mask(enrollment.resident.nik),
                enrollment.resident.get_gender_display(),
                enrollment.resident.village.name,
                enrollment.resident.village.district.name,
                enrollment.enrolled_on,
                enrollment.get_status_display(),
            ]
            for number, enrollment in enumerate(roster, start=1)
        ),
        above=[[program.code, program.title]],
    )
    return xlsx_response(xlsx_bytes(workbook), filename=f"peserta-{program.code}.xlsx")


def attendance_sheet(request, pk):
    """The printable daftar hadir, with a signature column."""
    program, roster = _roster_for_export(request, pk)
    return render(
        request,
        "programs/attendance_sheet.html",
        {
            "program": program,
            "roster": [e for e in roster if e.status != Enrollment.Status.CANCELLED],
        },
    )


def resident_trainings_panel(request, *, resident, editable: bool) -> dict:
    """The trainings card of a resident's page: their enrolments, and a proposal form."""
    may_propose = (
        editable and not resident.is_void and may_propose_residents(request.user)
    )
    return {
        "enrollments": resident_enrollments(resident=resident),
        "propose_form": ProposeForm(programs=programs_open_for(resident=resident))
        if may_propose
        else None,
    }


@require_POST
def propose(request, resident_pk):
    """Kelurahan staff propose one of their residents for an open training."""
    if not may_propose_residents(request.user):
        raise PermissionDenied
    resident = get_object_or_404(
        residents_editable_by(user=request.user), pk=resident_pk
    )
    form = ProposeForm(request.POST, programs=programs_open_for(resident=resident))
    if form.is_valid():
        try:
            with transaction.atomic():
                enrollment_create(
                    program=form.cleaned_data["program"],
                    resident=resident,
                    user=request.user,
                )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("%(name)s diusulkan ke %(program)s.")
                % {
                    "name": resident.full_name,
                    "program": form.cleaned_data["program"].code,
                },
            )
    else:
        messages.error(request, _("Pilih pelatihan yang masih dibuka."))
    return redirect(resident)


def coverage(request):
    """Sudin x kecamatan: who spreads word of trainings where, and where nobody does."""
    if not may_see_coverage(request.user):
        raise PermissionDenied
    city = coverage_city_for(user=request.user, city_code=request.GET.get("kota"))
    if city is None:
        raise PermissionDenied
    rows = coverage_matrix(
        city=city, agencies=coverage_agencies_for(user=request.user, city=city)
    )
    return render(
        request,
        "programs/coverage.html",
        {
            "city": city,
            "coverage": rows,
            "total_gaps": sum(row.gaps for row in rows),
            "cities": cities_visible_to(user=request.user)
            if is_admin(request.user)
            else None,
        },
    )
