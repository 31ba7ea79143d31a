from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from jakpreneur.admin_tools import CleanTextAdminMixin, FastModelAdmin

from .forms import AdminLoginForm, StaffAdminPasswordChangeForm
from .models import StaffProfile
from .services import staff_password_set_by_admin

User = get_user_model()

# The admin's own login page says so when the throttle locked it, as ours does.
admin.site.login_form = AdminLoginForm


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    autocomplete_fields = ["village", "district", "agency", "city"]


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(Group)
class StaffGroupAdmin(CleanTextAdminMixin, GroupAdmin):
    """Django's groups, their names cleaned of control characters like every admin form."""


@admin.register(User)
class StaffUserAdmin(CleanTextAdminMixin, UserAdmin):
    inlines = [StaffProfileInline]
    # A password an admin sets must be replaced by its owner at their next login.
    change_password_form = StaffAdminPasswordChangeForm
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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and form.instance.has_usable_password():
            staff_password_set_by_admin(user=form.instance)


@admin.register(StaffProfile)
class StaffProfileAdmin(FastModelAdmin):
    list_display = ["user", "role", "village", "district", "agency", "city"]
    list_filter = ["role"]
    list_select_related = ["user", "village", "district", "agency__city", "city"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "village", "district", "agency", "city"]
    actions = ["require_password_change"]

    @admin.action(description=_("Wajibkan ganti kata sandi saat masuk berikutnya"))
    def require_password_change(self, request, queryset):
        count = queryset.update(must_change_password=True)
        self.message_user(
            request,
            _("%(count)d petugas wajib mengganti kata sandi.") % {"count": count},
        )
