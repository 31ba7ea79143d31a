"""Rules that hold on every page a signed-in staff member opens."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import ngettext

# Session keys: when the user signed in, and when they were last seen (epoch seconds).
SIGNED_IN = "accounts.signed_in"
LAST_SEEN = "accounts.last_seen"
# Activity is written down at most once a minute: a session write on every request would be
# a database write on every request. Idle sessions so end up to a minute early.
LAST_SEEN_PRECISION = 60

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


def session_start(sender, request, user, **kwargs) -> None:
    """At sign-in (user_logged_in): start the absolute and the idle clock."""
    now = timezone.now().timestamp()
    request.session[SIGNED_IN] = request.session[LAST_SEEN] = now


def _timeout_message(*, idle: bool) -> str:
    if idle:
        minutes = settings.SESSION_IDLE_MINUTES
        return ngettext(
            "Sesi Anda berakhir karena tidak ada aktivitas selama %(minutes)d menit. "
            "Silakan masuk lagi.",
            "Sesi Anda berakhir karena tidak ada aktivitas selama %(minutes)d menit. "
            "Silakan masuk lagi.",
            minutes,
        ) % {"minutes": minutes}
    hours, rest = divmod(settings.SESSION_COOKIE_AGE, 3600)
    if hours and not rest:
        return ngettext(
            "Sesi Anda sudah berakhir setelah %(hours)d jam. Silakan masuk lagi.",
            "Sesi Anda sudah berakhir setelah %(hours)d jam. Silakan masuk lagi.",
            hours,
        ) % {"hours": hours}
    minutes = settings.SESSION_COOKIE_AGE // 60
    return ngettext(
        "Sesi Anda sudah berakhir setelah %(minutes)d menit. Silakan masuk lagi.",
        "Sesi Anda sudah berakhir setelah %(minutes)d menit. Silakan masuk lagi.",
        minutes,
    ) % {"minutes": minutes}


class SessionTimeoutMiddleware:
    """Sign out after SESSION_IDLE_MINUTES without a request, and SESSION_COOKIE_AGE
    seconds after signing in however active; the login page then says why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        session = request.session
        now = timezone.now().timestamp()
        # A session from before this rule has no clocks: it starts them now.
        signed_in = session.get(SIGNED_IN, now)
        last_seen = session.get(LAST_SEEN, now)
        idle = now - last_seen > settings.SESSION_IDLE_MINUTES * 60
        expired = now - signed_in > settings.SESSION_COOKIE_AGE
        if idle or expired:
            logout(request)
            messages.info(request, _timeout_message(idle=idle and not expired))
            return
        if SIGNED_IN not in session:
            session[SIGNED_IN] = signed_in
        if LAST_SEEN not in session or now - last_seen >= LAST_SEEN_PRECISION:
            session[LAST_SEEN] = now
