from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect

from .forms import StaffPasswordChangeForm
from .services import staff_password_change


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, through the service that also lifts 'must change'."""

    form_class = StaffPasswordChangeForm

    def get_context_data(self, **kwargs):
        profile = getattr(self.request.user, "staff", None)
        return super().get_context_data(
            must_change_password=bool(profile and profile.must_change_password),
            **kwargs,
        )

    def form_valid(self, form):
        staff_password_change(
            user=form.user, password=form.cleaned_data["new_password1"]
        )
        # Stay signed in: the new password changed the session's hash.
        update_session_auth_hash(self.request, form.user)
        return HttpResponseRedirect(self.get_success_url())
