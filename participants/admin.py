from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from jakpreneur.admin_tools import (
    FastModelAdmin,
    HistoryAdmin,
    ReadOnlyAdminMixin,
    ServiceAdminMixin,
)
from jakpreneur.text import Form

from .forms import ResidentAdminForm
from .identity import nik_mask
from .models import AccessLog, BreakdownCount, Resident, StageCount, StageRecord
from .services import (
    resident_anonymise,
    resident_register,
    resident_update,
    stage_record_create,
    stage_record_delete,
)


class AnonymiseForm(Form):
    reason = forms.CharField(
        label=_("Dasar permintaan penghapusan"),
        max_length=255,
        help_text=_(
            "Misalnya: surat permintaan warga tanggal …, nomor agenda …. Dicatat di log "
            "akses data pribadi."
        ),
    )


class StageRecordInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Shown with the resident; recorded on the resident's page or under Catatan tahap."""

    model = StageRecord
    extra = 0
    fields = [
        "stage",
        "reached_on",
        "mentor",
        "licence_type",
        "licence_number",
        "channel",
        "lender",
        "amount",
        "note",
    ]


@admin.register(Resident)
class ResidentAdmin(ServiceAdminMixin, HistoryAdmin, FastModelAdmin):
    """Saved through resident_register / resident_update; voided on the resident's page."""

    list_display = [
        "full_name",
        "masked_nik",
        "gender",
        "village",
        "registered_on",
        "is_void",
    ]
    list_filter = [
        "is_void",
        "gender",
        "village__district__city",
        "village__district",
        "registered_on",
    ]
    list_select_related = ["village__district"]
    form = ResidentAdminForm
    # No NIK search here: the admin's search box puts what is typed in the URL. NIKs are
    # searched on /warga/, whose search box posts.
    search_fields = ["full_name"]
    search_help_text = _(
        "Cari nama. Untuk mencari NIK, pakai kotak cari di halaman Warga."
    )
    autocomplete_fields = ["village", "registered_by"]
    date_hierarchy = None
    readonly_fields = [
        "is_void",
        "void_reason",
        "voided_at",
        "created_at",
        "updated_at",
    ]
    inlines = [StageRecordInline]

    def service_save(self, request, form, obj):
        fields = dict(form.cleaned_data)
        if obj is None:
            registered_by = fields.pop("registered_by", None) or request.user
            return resident_register(registered_by=registered_by, **fields)
        changed = {name: fields[name] for name in form.changed_data}
        return resident_update(resident=obj, user=request.user, **changed)

    def has_delete_permission(self, request, obj=None):
        # Registrations are voided, never deleted: the counts and their history stay.
        return False

    actions = ["anonymise"]

    @admin.action(description=_("Anonimkan data pribadi (hak penghapusan, UU PDP)"))
    def anonymise(self, request, queryset):
        """Asks for the reason on a page of its own, then anonymises each resident."""
        form = AnonymiseForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for resident in queryset:
                try:
                    resident_anonymise(
                        resident=resident,
                        user=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                    done += 1
                except ValidationError as error:
                    self.message_user(
                        request,
                        f"{resident}: {' '.join(error.messages)}",
                        messages.ERROR,
                    )
            self.message_user(
                request, _("%(n)d warga dianonimkan.") % {"n": done}, messages.SUCCESS
            )
            return None
        return TemplateResponse(
            request,
            "admin/participants/anonymise.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Anonimkan data pribadi"),
                "residents": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.display(description="NIK")
    def masked_nik(self, resident):
        return nik_mask(resident.nik)


@admin.register(StageRecord)
class StageRecordAdmin(ServiceAdminMixin, HistoryAdmin, FastModelAdmin):
    """Recorded through stage_record_create, undone through stage_record_delete; a record
    is never edited in place (delete it and record it again)."""

    list_display = ["resident", "stage", "reached_on", "licence_type", "lender"]
    list_filter = ["stage", "licence_type"]
    list_select_related = ["resident"]
    search_fields = ["resident__full_name", "licence_number"]
    raw_id_fields = ["resident"]
    exclude = ["recorded_by"]

    def service_save(self, request, form, obj):
        fields = dict(form.cleaned_data)
        return stage_record_create(
            resident=fields.pop("resident"), user=request.user, **fields
        )

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        stage_record_delete(record=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for record in queryset:
            stage_record_delete(record=record, user=request.user)


@admin.register(StageCount)
class StageCountAdmin(ReadOnlyAdminMixin, FastModelAdmin):
    """Read-only: the counters follow the residents (check or rebuild: rebuild_counts)."""

    list_display = ["village", "stage", "semester", "count"]
    list_filter = ["stage"]
    list_select_related = ["village"]
    search_fields = ["village__name"]


@admin.register(BreakdownCount)
class BreakdownCountAdmin(ReadOnlyAdminMixin, FastModelAdmin):
    """Read-only: the counters follow the residents (check or rebuild: rebuild_counts)."""

    list_display = ["village", "stage", "semester", "dimension", "value", "count"]
    list_filter = ["stage", "dimension"]
    list_select_related = ["village"]
    search_fields = ["village__name"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, FastModelAdmin):
    """Read-only: an access log nobody can rewrite."""

    list_display = ["at", "username", "action", "resident", "reason"]
    list_filter = ["action"]
    list_select_related = ["resident"]
    search_fields = ["username", "reason", "resident__full_name"]
    raw_id_fields = ["resident", "user"]
