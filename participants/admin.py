from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jakpreneur.admin_tools import FastModelAdmin, ReadOnlyAdminMixin

from .identity import nik_mask
from .models import AccessLog, Resident, StageRecord


class StageRecordInline(admin.TabularInline):
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
class ResidentAdmin(SimpleHistoryAdmin, FastModelAdmin):
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
    search_fields = ["=nik", "full_name"]
    autocomplete_fields = ["village", "registered_by"]
    date_hierarchy = None
    readonly_fields = ["created_at", "updated_at", "voided_at"]
    inlines = [StageRecordInline]

    @admin.display(description="NIK")
    def masked_nik(self, resident):
        return nik_mask(resident.nik)


@admin.register(StageRecord)
class StageRecordAdmin(SimpleHistoryAdmin, FastModelAdmin):
    list_display = ["resident", "stage", "reached_on", "licence_type", "lender"]
    list_filter = ["stage", "licence_type"]
    list_select_related = ["resident"]
    search_fields = ["resident__full_name", "=resident__nik", "licence_number"]
    raw_id_fields = ["resident"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, FastModelAdmin):
    """Read-only: an access log nobody can rewrite."""

    list_display = ["at", "username", "action", "resident", "reason"]
    list_filter = ["action"]
    list_select_related = ["resident"]
    search_fields = ["username", "reason", "=resident__nik"]
    raw_id_fields = ["resident", "user"]
