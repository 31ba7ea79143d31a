"""Public pages (apply, confirmation, status: no login) and the kelurahan's queue."""

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters

from accounts.access import may_handle_applications
from accounts.throttle import client_address
from jakpreneur.pagination import page_of
from participants.models import Channel

from .forms import AcceptForm, ApplyForm, RefuseForm, StatusForm, district_from_param
from .models import NOTICE_VERSION, Application, code_display, code_generate
from .selectors import (
    OVERDUE_DAYS,
    application_for_status,
    application_warnings,
    applications_filtered,
    applications_for_queue,
    overdue_before,
)
from .services import (
    application_accept,
    application_accept_existing,
    application_refuse,
    application_submit,
    apply_address_limited,
    apply_nik_limited,
    status_address_limited,
)

SENT_CODE = "applications:sent_code"  # the session key of the code just given

# --- Public pages ----------------------------------------------------------------------------


@login_not_required
@sensitive_post_parameters("nik", "birth_date", "phone", "email", "address")
def apply(request):
    district = district_from_param(request.GET.get("kecamatan"))
    form = ApplyForm(request.POST or None, district=district)
    status = 200
    if request.method == "POST":
        if form.is_bot:
            # A bot filled the honeypot: it gets what a person gets, and nothing is kept.
            return _sent(request, code_generate())
        if form.is_valid():
            address = client_address(request)
            if apply_address_limited(address=address):
                form.add_error(
                    None,
                    _(
                        "Terlalu banyak pengajuan dari jaringan ini dalam satu jam. Coba "
                        "lagi nanti, atau datang ke kantor kelurahan Anda."
                    ),
                )
                status = 429
            elif apply_nik_limited(nik=form.cleaned_data["nik"]):
                form.add_error(
                    "nik",
                    _(
                        "NIK ini sudah dipakai untuk beberapa pengajuan hari ini. Coba "
                        "lagi besok, atau datang ke kantor kelurahan Anda."
                    ),
                )
                status = 429
            else:
                # The same answer for every NIK: registered, pending or new (the kelurahan
                # sees a NIK already known as a warning in its queue).
                application = application_submit(**form.application_fields())
                return _sent(request, application.code)
    return render(
        request,
        "applications/apply.html",
        {"form": form, "district": district, "notice_version": NOTICE_VERSION},
        status=status,
    )


# How long the confirmation shows its code: on a shared phone or a kelurahan kiosk the
# next person must not find the previous applicant's code.
SENT_SHOWN_SECONDS = 15 * 60


def _sent(request, code: str):
    request.session[SENT_CODE] = [code, int(time.time())]
    return redirect("applications:sent")


@login_not_required
def sent(request):
    stored = request.session.get(SENT_CODE)
    try:
        code, at = stored
        fresh = isinstance(code, str) and 0 <= time.time() - at < SENT_SHOWN_SECONDS
    except (TypeError, ValueError):
        fresh = False
    if not fresh:
        request.session.pop(SENT_CODE, None)
        return redirect("applications:apply")
    return render(request, "applications/sent.html", {"code": code_display(code)})


@login_not_required
@sensitive_post_parameters("code", "birth_date")
def status(request):
    """The status of one application, for whoever has its code and the birth date."""
    form = StatusForm(request.POST or None)
    application, answered, http_status = None, False, 200
    if request.method == "POST" and form.is_valid():
        if status_address_limited(address=client_address(request)):
            form.add_error(
                None,
                _(
                    "Terlalu banyak pemeriksaan dari jaringan ini dalam satu jam. Coba "
                    "lagi nanti."
                ),
            )
            http_status = 429
        else:
            answered = True
            application = application_for_status(
                code=form.cleaned_data["code"],
                birth_date=form.cleaned_data["birth_date"],
            )
    return render(
        request,
        "applications/status.html",
        {"form": form, "application": application, "answered": answered},
        status=http_status,
    )


# --- The queue (kelurahan and kecamatan staff) -------------------------------------------------

QUEUE_TABS = [
    ("received", gettext_lazy("Menunggu")),
    ("overdue", gettext_lazy("Lewat 14 hari")),
    ("needs_visit", gettext_lazy("Perlu datang")),
    ("accepted", gettext_lazy("Disetujui")),
    ("rejected", gettext_lazy("Ditolak")),
    ("all", gettext_lazy("Semua")),
]


def queue(request):
    if not may_handle_applications(request.user):
        raise PermissionDenied
    tab = request.GET.get("status", "received")
    if tab not in dict(QUEUE_TABS):
        tab = "received"
    applications = applications_filtered(user=request.user, status=tab)
    page = page_of(request, applications)
    late = overdue_before()
    for application in page.rows:
        application.overdue = (
            application.status == Application.Status.RECEIVED
            and application.applied_at < late
        )
    return render(
        request,
        "applications/queue.html",
        {
            "page": page,
            "tab": tab,
            "tabs": [(key, str(label)) for key, label in QUEUE_TABS],
            "overdue_days": OVERDUE_DAYS,
        },
    )


def _application_for(request, pk) -> Application:
    if not may_handle_applications(request.user):
        raise PermissionDenied
    return get_object_or_404(
        applications_for_queue(user=request.user).select_related(
            "program__agency", "handled_by", "resident"
        ),
        pk=pk,
    )


def detail(request, pk):
    application = _application_for(request, pk)
    refuse_form = RefuseForm(
        request.POST if request.POST.get("action") == "refuse" else None,
        initial={"status": Application.Status.NEEDS_VISIT},
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "refuse" and refuse_form.is_valid():
                application_refuse(
                    application=application,
                    user=request.user,
                    **refuse_form.cleaned_data,
                )
                messages.success(
                    request,
                    _(
                        "Keputusan disimpan; pemohon dapat membacanya di halaman status."
                    ),
                )
                return redirect(application)
            if action == "accept_existing":
                accepted = application_accept_existing(
                    application=application, user=request.user
                )
                _accepted_messages(request, accepted)
                return redirect(accepted.resident)
        except ValidationError as error:
            if action == "refuse":
                refuse_form.add_error(None, error)
            else:
                for message in error.messages:
                    messages.error(request, message)
                return redirect(application)
    # Asked only while there is something to decide.
    warnings = (
        application_warnings(application=application, user=request.user)
        if application.is_open
        else None
    )
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "warnings": warnings,
            "refuse_form": refuse_form,
            "overdue": application.status == Application.Status.RECEIVED
            and application.applied_at < overdue_before(),
        },
        status=400 if refuse_form.errors else 200,
    )


@sensitive_post_parameters("nik", "kk_number")
def accept(request, pk):
    """The desk registration form, prefilled from the application."""
    application = _application_for(request, pk)
    if not application.is_open:
        messages.info(request, _("Pengajuan ini sudah ditangani."))
        return redirect(application)
    form = AcceptForm(request.POST or None, user=request.user, application=application)
    if request.method == "POST" and form.is_valid():
        try:
            accepted = application_accept(
                application=application,
                user=request.user,
                **form.registration_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _accepted_messages(request, accepted)
            return redirect(accepted.resident)
    return render(
        request,
        "applications/accept.html",
        {
            "form": form,
            "application": application,
            "title": _("Setujui pengajuan %(code)s")
            % {"code": application.code_display},
        },
    )


def _accepted_messages(request, accepted) -> None:
    messages.success(
        request,
        _("Pengajuan %(code)s disetujui: %(name)s terdaftar di Jakpreneur.")
        % {
            "code": accepted.application.code_display,
            "name": accepted.resident.full_name,
        },
    )
    if accepted.proposed is not None:
        messages.success(
            request,
            _("%(name)s diusulkan ke pelatihan %(program)s yang dipilihnya.")
            % {"name": accepted.resident.full_name, "program": accepted.proposed.code},
        )
    elif accepted.proposal_refused:
        messages.warning(
            request,
            _(
                "Usulan ke pelatihan yang dipilih pemohon belum dapat dibuat: %(why)s "
                "Usulkan dari halaman warga bila sudah memungkinkan."
            )
            % {"why": accepted.proposal_refused},
        )


def resident_application_panel(request, *, resident, editable: bool) -> dict:
    """A resident's page: the online application that registered them, if any (asked
    only of residents registered online: the other pages cost no query)."""
    if resident.channel != Channel.ONLINE:
        return {"application": None}
    application = (
        Application.objects.filter(resident=resident).order_by("applied_at").first()
    )
    return {"application": application}
