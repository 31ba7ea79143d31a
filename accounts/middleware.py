"""Rules that hold on every page a signed-in staff member opens."""

from django.shortcuts import redirect

# Pages a staff member who must change their password may still open.
OPEN_WHILE_PASSWORD_MUST_CHANGE = frozenset(
    {
        "password_change",
        "password_change_done",
        "logout",
        "login",
        "set_language",
        "healthz",
        "admin:logout",
    }
)


class PasswordChangeRequiredMiddleware:
    """Staff whose password an admin set go to the password change page until they change it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        # The menu reads the profile on every page anyway, so this costs no query.
        profile = getattr(user, "staff", None)
        if profile is None or not profile.must_change_password:
            return None
        if request.resolver_match.view_name in OPEN_WHILE_PASSWORD_MUST_CHANGE:
            return None
        return redirect("password_change")
