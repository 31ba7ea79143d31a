from django.contrib import admin

from jakpreneur.admin_tools import FastModelAdmin, HistoryAdmin, ServiceAdminMixin

from .models import OutreachActivity
from .services import FIELDS, outreach_activity_create, outreach_activity_update


@admin.register(OutreachActivity)
class OutreachActivityAdmin(ServiceAdminMixin, HistoryAdmin, FastModelAdmin):
    """Saved through the outreach services (places, organiser, dates)."""

    list_display = [
        "held_on",
        "kind",
        "district",
        "village",
        "agency",
        "office",
        "people_reached",
    ]
    list_filter = ["kind", "office", "district__city"]
    list_select_related = ["district", "village", "agency__city"]
    search_fields = ["office_name", "district__name", "village__name"]
    autocomplete_fields = ["district", "village", "agency"]
    readonly_fields = ["recorded_by", "created_at"]

    def service_save(self, request, form, obj):
        fields = {name: form.cleaned_data[name] for name in FIELDS}
        if obj is None:
            return outreach_activity_create(user=request.user, **fields)
        changed = {name: fields[name] for name in form.changed_data if name in FIELDS}
        return outreach_activity_update(activity=obj, user=request.user, **changed)
