import json
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.access import (
    is_admin,
    may_keep_records,
    may_list_residents,
    may_look_up_by_nik,
    may_reveal_nik,
)
from jakpreneur.numbers import positive_int
from jakpreneur.pagination import page_of
from jakpreneur.spreadsheets import xlsx_response

from .counting import age_on
from .exports import csv_response, resident_xlsx
from .forms import (
    ResidentForm,
    RevealNikForm,
    StageRecordForm,
    VoidForm,
    resident_filter_form,
    resident_filter_values,
)
from .identity import nik_clean, nik_mask
from .models import AccessLog, Stage, StageRecord
from .selectors import (
    count_capped,
    nik_describe,
    resident_page_ids,
    resident_timeline,
    residents_editable_by,
    residents_filtered,
    residents_visible_to,
    villages_for_registration,
)
from .services import (
    NikLookupLimit,
    access_log_write,
    nik_look_up,
    nik_registration_check,
    nik_reveal,
    resident_register,
    resident_update,
    resident_void,
    stage_record_create,
    stage_record_delete,
)
from .subject import subject_data

# Cards that apps above this one add to a resident's page: (template, context builder).
# programs adds the trainings card (programs/apps.py), so this app needs not import it.
RESIDENT_PANELS: list[tuple[str, Callable[..., dict]]] = []


def resident_panel_register(template: str, build: Callable[..., dict]) -> None:
    """Show `template` on every resident's page with build(request, resident=, editable=)."""
    RESIDENT_PANELS.append((template, build))


# Who takes a resident list too big to build inside the request (exports/ registers it
# from above: this app does not import it): handler(request, fmt=, filters=, unmasked=).
BIG_EXPORT_HANDLERS: list[Callable[..., HttpResponse]] = []


def big_export_register(handler: Callable[..., HttpResponse]) -> None:
    """Send exports of more than settings.EXPORT_INLINE_ROWS residents to handler."""
    BIG_EXPORT_HANDLERS.append(handler)


def _filter_form(request, data):
    return resident_filter_form(user=request.user, data=data)


@sensitive_post_parameters("q")
def resident_list(request):
    if not may_list_residents(request.user):
        raise PermissionDenied
    if request.method == "POST":
        return _search(request)
    form = _filter_form(request, request.GET)
    params = form.cleaned_data if form.is_valid() else {}
    residents = residents_filtered(user=request.user, params=params)
    page = page_of(request, residents, page_ids=resident_page_ids)
    count, more = count_capped(residents)
    return render(
        request,
        "participants/list.html",
        {
            "form": form,
            "page": page,
            "count": count,
            "count_more": more,
            "may_register": may_keep_records(request.user),
        },
    )


def _search(request):
    """The search form posts, so a NIK typed in it never lands in a URL or a server log."""
    data = request.POST.copy()
    data.pop("csrfmiddlewaretoken", None)
    query = data.get("q", "")
    # Names have no digits: digits are (part of) a NIK, which stays out of the URL.
    if any(char.isdigit() for char in query):
        digits = nik_clean(query)
        found = None
        if digits.isascii() and digits.isdigit() and len(digits) == 16:
            found = residents_visible_to(user=request.user).filter(nik=digits).first()
        if found:
            return redirect(found)
        # A NIK not found, or one with a digit too few or too many: say so, and keep the
        # digits out of the URL the list is redirected to.
        messages.warning(
            request,
            _("Tidak ada warga dengan NIK itu di wilayah Anda.")
            if len(digits) == 16
            else _("NIK harus 16 digit angka; periksa lagi NIK yang dicari."),
        )
        data.pop("q")
    params = {key: value for key, value in data.items() if value}
    return redirect(f"{reverse('participants:list')}?{urlencode(params)}")


def resident_export(request, fmt):
    if not may_list_residents(request.user):
        raise PermissionDenied
    form = _filter_form(request, request.GET)
    params = form.cleaned_data if form.is_valid() else {}
    residents = residents_filtered(user=request.user, params=params)
    unmasked = may_reveal_nik(request.user)
    if BIG_EXPORT_HANDLERS:
        _count, big = count_capped(residents, cap=settings.EXPORT_INLINE_ROWS)
        if big:
            # Built by a worker, logged when downloaded (exports/).
            return BIG_EXPORT_HANDLERS[0](
                request,
                fmt=fmt,
                filters=resident_filter_values(form),
                unmasked=unmasked,
            )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"warga-{stamp}.{fmt}"
    # Every list of residents that leaves the app is logged, masked or not (UU PDP), and
    # only a list that does leave: the workbook is built before its log row is written.
    # The CSV is streamed (any size, little memory), so its row is written as it starts:
    # its cells cannot fail (jakpreneur.spreadsheets), only a lost database could stop it.
    content = None
    if fmt == "xlsx":
        content = resident_xlsx(residents, unmasked=unmasked)
    access_log_write(
        user=request.user,
        action=AccessLog.Action.EXPORT_LIST,
        detail=(
            f"{fmt.upper()} {'NIK lengkap' if unmasked else 'NIK tersamar'} "
            f"{request.GET.urlencode()}"
        )[:500],
    )
    if fmt == "csv":
        return csv_response(residents, unmasked=unmasked, filename=filename)
    return xlsx_response(content, filename=filename)


@sensitive_post_parameters("nik", "kk_number")
def resident_create(request):
    if not may_keep_records(request.user):
        raise PermissionDenied
    form = ResidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in {"district", "confirm_warnings"}
        }
        try:
            resident = resident_register(registered_by=request.user, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s terdaftar di Jakpreneur.") % {"name": resident.full_name},
            )
            if "another" in request.POST:
                return redirect("participants:create")
            return redirect(resident)
    return render(
        request, "participants/form.html", {"form": form, "title": _("Daftarkan warga")}
    )


def _resident_for(request, pk, *, write=False):
    """The resident, if this user may see it (404 otherwise); 403 when read-only."""
    if not write:
        return get_object_or_404(residents_visible_to(user=request.user), pk=pk)
    # A write asks the editable residents first (one read on the common path); only a
    # refusal asks whether the resident is visible at all, to answer 403 rather than 404.
    resident = residents_editable_by(user=request.user).filter(pk=pk).first()
    if resident is None:
        if residents_visible_to(user=request.user).filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404
    return resident


def resident_detail(
    request,
    pk,
    *,
    revealed_nik=None,
    reveal_form=None,
    stage_form=None,
    void_form=None,
    status=200,
):
    resident = _resident_for(request, pk)
    editable = residents_editable_by(user=request.user).filter(pk=pk).exists()
    context = {
        "resident": resident,
        "timeline": resident_timeline(resident=resident),
        "history": _history(resident, personal=may_reveal_nik(request.user)),
        "age": age_on(birth_date=resident.birth_date, day=timezone.localdate()),
        "editable": editable and not resident.is_void,
        "may_reveal": may_reveal_nik(request.user),
        "revealed_nik": revealed_nik,
        "reveal_form": reveal_form or RevealNikForm(),
        "stage_form": stage_form or StageRecordForm(),
        "void_form": void_form or VoidForm(),
        "access_logs": resident.access_logs.all()[:50]
        if is_admin(request.user)
        else None,
        "panels": [
            (template, build(request, resident=resident, editable=editable))
            for template, build in RESIDENT_PANELS
        ],
    }
    return render(request, "participants/detail.html", context, status=status)


def _history(resident, *, personal: bool):
    """Changes to the record, newest first, NIK and KK masked; birth dates hidden from
    those who see no birth date (personal=False)."""
    records = list(
        resident.history.select_related("history_user").order_by("-history_date")[:50]
    )
    entries = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        changes = []
        if older is not None:
            for change in newer.diff_against(older).changes:
                old, new = change.old, change.new
                if change.field in {"nik", "kk_number"}:
                    old, new = nik_mask(old), nik_mask(new)
                elif change.field == "birth_date" and not personal:
                    old, new = "••", "••"
                label = resident._meta.get_field(change.field).verbose_name
                changes.append((label, old, new))
        entries.append({"record": newer, "changes": changes})
    return entries


@sensitive_post_parameters("nik", "kk_number")
def resident_edit(request, pk):
    resident = _resident_for(request, pk, write=True)
    if resident.is_void:
        messages.error(
            request, _("Pendaftaran warga ini sudah dibatalkan dan tidak dapat diubah.")
        )
        return redirect(resident)
    form = ResidentForm(request.POST or None, instance=resident, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in {"district", "confirm_warnings"}
        }
        try:
            resident_update(resident=resident, user=request.user, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Data warga disimpan."))
            return redirect(resident)
    return render(
        request,
        "participants/form.html",
        {"form": form, "resident": resident, "title": _("Ubah data warga")},
    )


@require_POST
def resident_void_view(request, pk):
    resident = _resident_for(request, pk, write=True)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            resident_void(
                resident=resident, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Pendaftaran dibatalkan. Warga ini tidak lagi dihitung.")
            )
            return redirect(resident)
    return resident_detail(request, pk, void_form=form, status=400)


@require_POST
def stage_create(request, pk):
    resident = _resident_for(request, pk, write=True)
    form = StageRecordForm(request.POST)
    if form.is_valid():
        try:
            stage_record_create(
                resident=resident, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Tahap %(stage)s dicatat, tanggal %(date)s.")
                % {
                    "stage": Stage(form.cleaned_data["stage"]).label,
                    "date": form.cleaned_data["reached_on"].strftime("%d/%m/%Y"),
                },
            )
            return redirect(resident)
    return resident_detail(request, pk, stage_form=form, status=400)


def stage_delete(request, pk, record_pk):
    """Asks first (GET shows what will be undone), deletes on POST."""
    resident = _resident_for(request, pk, write=True)
    record = get_object_or_404(StageRecord, pk=record_pk, resident=resident)
    if request.method == "POST":
        stage_record_delete(record=record, user=request.user)
        messages.success(
            request,
            _("Catatan tahap %(stage)s tanggal %(date)s dihapus.")
            % {
                "stage": record.get_stage_display(),
                "date": record.reached_on.strftime("%d/%m/%Y"),
            },
        )
        return redirect(resident)
    return render(
        request,
        "participants/stage_delete.html",
        {"resident": resident, "record": record},
    )


@require_POST
def reveal_nik(request, pk):
    resident = _resident_for(request, pk)
    if not may_reveal_nik(request.user):
        raise PermissionDenied
    form = RevealNikForm(request.POST)
    if form.is_valid():
        nik = nik_reveal(
            resident=resident, user=request.user, reason=form.cleaned_data["reason"]
        )
        return resident_detail(request, pk, revealed_nik=nik)
    return resident_detail(request, pk, reveal_form=form, status=400)


def subject_export(request, pk, fmt="html"):
    """A resident's own data and its access trail, for them on request (UU PDP)."""
    resident = _resident_for(request, pk)
    if not may_reveal_nik(request.user):
        raise PermissionDenied
    with transaction.atomic():
        access_log_write(
            user=request.user,
            action=AccessLog.Action.EXPORT_SUBJECT,
            resident=resident,
            detail=fmt.upper(),
        )
        data = subject_data(resident=resident)
    if fmt == "json":
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="data-pribadi-{resident.pk}.json"'
        )
        return response
    return render(
        request, "participants/subject.html", {"resident": resident, "data": data}
    )


@sensitive_post_parameters("nik")
def nik_lookup(request):
    """Find one resident by exact NIK (Sudin staff, before enrolling them)."""
    if not may_look_up_by_nik(request.user):
        raise PermissionDenied
    found = searched = None
    status = 200
    if request.method == "POST":
        searched = True
        try:
            found = nik_look_up(user=request.user, nik=request.POST.get("nik", ""))
        except NikLookupLimit as limit:
            messages.error(request, limit.message)
            searched, status = None, 429
    return render(
        request,
        "participants/lookup.html",
        {"found": found, "searched": searched},
        status=status,
    )


@require_POST
@sensitive_post_parameters("nik")
def nik_info(request):
    """Live preview of what a NIK says, shown under the field while typing."""
    if not may_keep_records(request.user):
        raise PermissionDenied
    value = nik_clean(request.POST.get("nik", ""))
    info = region = None
    duplicate = ""
    if len(value) >= 16:
        info, region = nik_describe(nik=value)
        if getattr(info, "birth_date", None):
            try:
                duplicate = nik_registration_check(
                    user=request.user,
                    nik=value,
                    exclude_pk=positive_int(request.POST.get("resident")),
                )
            except NikLookupLimit as limit:
                duplicate = limit.message
    return render(
        request,
        "participants/_nik_info.html",
        {"info": info, "region": region, "typed": len(value), "duplicate": duplicate},
    )


def village_options(request):
    """<option>s of the kelurahan in a kecamatan, for the chained select."""
    if not may_keep_records(request.user):
        raise PermissionDenied
    villages = villages_for_registration(user=request.user)
    district = positive_int(request.GET.get("district"))
    if district:
        villages = villages.filter(district_id=district)
    return render(request, "participants/_village_options.html", {"villages": villages})
