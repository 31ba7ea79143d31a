from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from jakpreneur.admin_tools import FastModelAdmin

from .forms import AdminLoginForm
from .models import StaffProfile

User = get_user_model()

# The admin's own login page says so when the throttle locked it, as ours does.
admin.site.login_form = AdminLoginForm


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    autocomplete_fields = ["village", "district", "agency", "city"]


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "first_name", "last_name", "staff_role", "is_active"]
    list_filter = ["staff__role", "is_active", "is_superuser"]
    list_select_related = ["staff"]
    show_full_result_count = False

    @admin.display(
        description=StaffProfile._meta.get_field("role").verbose_name,
        ordering="staff__role",
    )
    def staff_role(self, user):
        profile = getattr(user, "staff", None)
        return profile.get_role_display() if profile else "-"


@admin.register(StaffProfile)
class StaffProfileAdmin(FastModelAdmin):
    list_display = ["user", "role", "village", "district", "agency", "city"]
    list_filter = ["role"]
    list_select_related = ["user", "village", "district", "agency__city", "city"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "village", "district", "agency", "city"]
