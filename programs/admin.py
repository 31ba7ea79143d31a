from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jakpreneur.admin_tools import FastModelAdmin

from .models import Agency, Enrollment, FieldLead, Program


class FieldLeadInline(admin.TabularInline):
    model = FieldLead
    extra = 0
    autocomplete_fields = ["district"]
    fields = ["district", "title", "name", "phone", "active"]


@admin.register(Agency)
class AgencyAdmin(FastModelAdmin):
    list_display = ["short_name", "name", "city"]
    list_filter = ["city", "short_name"]
    list_select_related = ["city"]
    search_fields = ["short_name", "name", "city__name"]
    inlines = [FieldLeadInline]


@admin.register(FieldLead)
class FieldLeadAdmin(FastModelAdmin):
    list_display = ["name", "title", "agency", "district", "phone", "active"]
    list_filter = ["active", "title", "agency__short_name", "agency__city"]
    list_select_related = ["agency__city", "district"]
    search_fields = ["name", "phone", "district__name", "agency__short_name"]
    autocomplete_fields = ["agency", "district"]


@admin.register(Program)
class ProgramAdmin(SimpleHistoryAdmin, FastModelAdmin):
    list_display = [
        "code",
        "title",
        "agency",
        "category",
        "district",
        "start_date",
        "capacity",
        "status",
    ]
    list_filter = ["status", "category", "agency__city", "agency__short_name"]
    list_select_related = ["agency__city", "district"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["agency", "district"]
    readonly_fields = ["created_at"]


@admin.register(Enrollment)
class EnrollmentAdmin(SimpleHistoryAdmin, FastModelAdmin):
    list_display = ["resident", "program", "enrolled_on", "status"]
    list_filter = ["status"]
    list_select_related = ["resident", "program"]
    search_fields = ["=program__code", "resident__full_name", "=resident__nik"]
    raw_id_fields = ["resident", "program"]
