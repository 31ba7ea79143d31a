from django.contrib import admin

from jakpreneur.admin_tools import FastModelAdmin

from .models import Agency, FieldLead


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
