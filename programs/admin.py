from django.contrib import admin

from jakpreneur.admin_tools import FastModelAdmin, HistoryAdmin, ServiceAdminMixin

from .models import Agency, Enrollment, FieldLead, Program
from .services import enrollment_create, program_create, program_update, roster_update


class FieldLeadInline(admin.TabularInline):
    model = FieldLead
    extra = 0
    autocomplete_fields = ["district"]
    fields = ["district", "title", "name", "phone", "office_phone", "active"]


@admin.register(Agency)
class AgencyAdmin(FastModelAdmin):
    list_display = ["short_name", "name", "city"]
    list_filter = ["city", "short_name"]
    list_select_related = ["city"]
    search_fields = ["short_name", "name", "city__name"]
    fields = ["city", "short_name", "name", "office_address", "office_phone"]
    inlines = [FieldLeadInline]


@admin.register(FieldLead)
class FieldLeadAdmin(FastModelAdmin):
    list_display = [
        "name",
        "title",
        "agency",
        "district",
        "phone",
        "office_phone",
        "active",
    ]
    list_filter = ["active", "title", "agency__short_name", "agency__city"]
    list_select_related = ["agency__city", "district"]
    search_fields = ["name", "phone", "district__name", "agency__short_name"]
    autocomplete_fields = ["agency", "district"]


@admin.register(Program)
class ProgramAdmin(ServiceAdminMixin, HistoryAdmin, FastModelAdmin):
    """Saved through program_create / program_update (codes, quota and cancellation rules)."""

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
    readonly_fields = ["code", "created_by", "created_at"]

    def service_save(self, request, form, obj):
        fields = dict(form.cleaned_data)
        if obj is None:
            return program_create(created_by=request.user, **fields)
        changed = {name: fields[name] for name in form.changed_data}
        return program_update(program=obj, user=request.user, **changed)


@admin.register(Enrollment)
class EnrollmentAdmin(ServiceAdminMixin, HistoryAdmin, FastModelAdmin):
    """Enrolled through enrollment_create (quota, void, dates); afterwards only the status
    changes, through roster_update. Cancel an enrolment instead of deleting it."""

    list_display = ["resident", "program", "enrolled_on", "status"]
    list_filter = ["status"]
    list_select_related = ["resident", "program"]
    search_fields = ["=program__code", "resident__full_name"]
    raw_id_fields = ["resident", "program"]
    exclude = ["enrolled_by"]

    def get_readonly_fields(self, request, obj=None):
        return ["resident", "program", "enrolled_on"] if obj else ["status"]

    def service_save(self, request, form, obj):
        fields = form.cleaned_data
        if obj is None:
            return enrollment_create(
                program=fields["program"],
                resident=fields["resident"],
                user=request.user,
                enrolled_on=fields["enrolled_on"],
            )
        roster_update(
            program=obj.program, statuses={obj.pk: fields["status"]}, user=request.user
        )
        obj.refresh_from_db()
        return obj

    def has_delete_permission(self, request, obj=None):
        return False
