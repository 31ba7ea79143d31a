from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jakpreneur.admin_tools import FastModelAdmin

from .models import (
    AgencyTarget,
    DistrictTarget,
    SemesterTarget,
    TargetPeriod,
)
from .services import (
    district_target_spread,
    period_fill_targets,
    semester_targets_check,
)


class DistrictTargetInline(admin.TabularInline):
    model = DistrictTarget
    extra = 0
    fields = ["district", "total"]
    autocomplete_fields = ["district"]
    show_change_link = True


class AgencyTargetInline(admin.TabularInline):
    model = AgencyTarget
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(TargetPeriod)
class TargetPeriodAdmin(FastModelAdmin):
    list_display = [
        "name",
        "city",
        "start_semester",
        "semesters",
        "stage",
        "default_total",
        "is_active",
    ]
    list_filter = ["is_active", "city", "stage"]
    list_select_related = ["city"]
    search_fields = ["name"]
    inlines = [DistrictTargetInline, AgencyTargetInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        created = period_fill_targets(period=form.instance)
        for target in form.instance.district_targets.filter(
            semester_targets__isnull=True
        ):
            district_target_spread(district_target=target)
        if created:
            messages.info(
                request, _("%(n)d kecamatan diberi target bawaan.") % {"n": created}
            )


class SemesterTargetFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        # Without a period or a total (the kecamatan target's own form refused them) there
        # is nothing to check the semesters against: that form shows the error.
        if any(self.errors) or self.instance.period_id is None:
            return
        if self.instance.total is None:
            return
        targets = {
            form.cleaned_data["semester"]: form.cleaned_data["target"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        }
        total = self.instance.total
        try:
            semester_targets_check(
                total=total, targets=targets, period=self.instance.period
            )
        except ValidationError as error:
            raise ValidationError(error.messages) from error


class SemesterTargetInline(admin.TabularInline):
    model = SemesterTarget
    formset = SemesterTargetFormSet
    extra = 0


@admin.register(DistrictTarget)
class DistrictTargetAdmin(FastModelAdmin):
    list_display = ["district", "period", "total"]
    list_filter = ["period"]
    list_select_related = ["district", "period__city"]
    search_fields = ["district__name", "district__code"]
    autocomplete_fields = ["district"]
    inlines = [SemesterTargetInline]
    actions = ["respread"]

    @admin.action(description=_("Ratakan ulang target semester dari target total"))
    def respread(self, request, queryset):
        for target in queryset:
            district_target_spread(district_target=target)
        self.message_user(
            request,
            _("%(n)d target kecamatan diratakan ulang.") % {"n": queryset.count()},
        )


@admin.register(AgencyTarget)
class AgencyTargetAdmin(FastModelAdmin):
    list_display = ["agency", "period", "total"]
    list_filter = ["period"]
    list_select_related = ["agency__city", "period__city"]
    search_fields = ["agency__short_name", "agency__name"]
    autocomplete_fields = ["agency"]


@admin.register(SemesterTarget)
class SemesterTargetAdmin(FastModelAdmin):
    """Semester targets are edited with their kecamatan, where the total is checked."""

    list_display = ["district_target", "semester", "target"]
    list_filter = ["semester"]
    list_select_related = ["district_target__district", "district_target__period__city"]
    search_fields = ["district_target__district__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
