from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import (
    districts_with_outreach_visible_to,
    may_read_outreach,
    may_record_outreach,
)
from jakpreneur.pagination import page_of

from .forms import OutreachActivityForm, OutreachFilterForm
from .models import OutreachActivity
from .selectors import activities_filtered, activities_kept_by, activities_visible_to
from .services import (
    outreach_activity_create,
    outreach_activity_delete,
    outreach_activity_update,
)


def activity_list(request):
    if not may_read_outreach(request.user):
        raise PermissionDenied
    form = OutreachFilterForm(
        request.GET or None,
        districts=districts_with_outreach_visible_to(user=request.user),
    )
    params = form.cleaned_data if form.is_valid() else {}
    activities = activities_filtered(
        user=request.user,
        semester=params.get("semester"),
        district=params.get("district"),
    )
    page = page_of(request, activities)
    kept = set(
        activities_kept_by(user=request.user)
        .filter(pk__in=[a.pk for a in page.rows])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "outreach/list.html",
        {
            "form": form,
            "page": page,
            "kept": kept,
            "may_record": may_record_outreach(request.user),
        },
    )


def activity_create(request):
    if not may_record_outreach(request.user):
        raise PermissionDenied
    form = OutreachActivityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            outreach_activity_create(user=request.user, **form.activity_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Kegiatan sosialisasi dicatat."))
            return redirect("outreach:list")
    return render(
        request,
        "outreach/form.html",
        {"form": form, "title": _("Catat kegiatan sosialisasi")},
    )


def _kept(request, pk) -> OutreachActivity:
    """An activity the user may correct: 404 if they do not read it, 403 if read-only."""
    activity = get_object_or_404(activities_visible_to(user=request.user), pk=pk)
    if not activities_kept_by(user=request.user).filter(pk=pk).exists():
        raise PermissionDenied
    return activity


def activity_edit(request, pk):
    activity = _kept(request, pk)
    form = OutreachActivityForm(
        request.POST or None, instance=activity, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            outreach_activity_update(
                activity=activity, user=request.user, **form.activity_fields()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Kegiatan sosialisasi disimpan."))
            return redirect("outreach:list")
    return render(
        request,
        "outreach/form.html",
        {"form": form, "activity": activity, "title": _("Ubah kegiatan sosialisasi")},
    )


@require_POST
def activity_delete(request, pk):
    activity = _kept(request, pk)
    outreach_activity_delete(activity=activity, user=request.user)
    messages.success(request, _("Kegiatan sosialisasi dihapus."))
    return redirect("outreach:list")
