"""Staff sign-in and password forms."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AuthenticationForm,
    PasswordChangeForm,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jakpreneur.text import CleanTextFormMixin

from .services import staff_password_set_by_admin
from .throttle import lockout_message


class LockoutMessageMixin:
    """A refused login says so when the throttle locked it, instead of 'wrong password'."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise ValidationError(lockout_message(), code="locked_out") from None
            raise


class LoginForm(CleanTextFormMixin, LockoutMessageMixin, AuthenticationForm):
    pass


class AdminLoginForm(CleanTextFormMixin, LockoutMessageMixin, AdminAuthenticationForm):
    pass


class StaffPasswordChangeForm(CleanTextFormMixin, PasswordChangeForm):
    """Django's password change, refusing the old password as the new one."""

    def clean(self):
        cleaned_data = super().clean()
        password = cleaned_data.get("new_password2")
        if (
            password
            and "new_password2" not in self.errors
            and self.user.check_password(password)
        ):
            self.add_error(
                "new_password2",
                ValidationError(
                    _("Kata sandi baru harus berbeda dari kata sandi lama."),
                    code="password_unchanged",
                ),
            )
        return cleaned_data


class StaffAdminPasswordChangeForm(CleanTextFormMixin, AdminPasswordChangeForm):
    """The admin's 'set password' form: the owner must then choose their own."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            staff_password_set_by_admin(user=user)
        return user
