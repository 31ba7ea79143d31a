"""Login throttling with django-axes: per username and per address, shared through the database.

Axes' database handler keeps the failed attempts in PostgreSQL, so every gunicorn worker on
every machine counts the same failures, and an admin lifts a lock by deleting its rows in
Django admin (*Access attempts*). Settings: LOGIN_FAILURE_LIMIT wrong passwords per username
and LOGIN_ADDRESS_FAILURE_LIMIT failures per address are tolerated within
LOGIN_COOLOFF_MINUTES; the next failure locks, for LOGIN_COOLOFF_MINUTES after the last try.
"""

import ipaddress
import json

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext

User = get_user_model()


def lockout_message() -> str:
    minutes = settings.LOGIN_COOLOFF_MINUTES
    return ngettext(
        "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %(minutes)d menit, "
        "atau minta admin membuka kuncinya.",
        "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %(minutes)d menit, "
        "atau minta admin membuka kuncinya.",
        minutes,
    ) % {"minutes": minutes}


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LoginThrottle(AxesDatabaseHandler):
    """Axes' database handler with a limit per username and a (higher) one per address."""

    def get_failures(self, request, credentials=None) -> int:
        """Recent failures of the username; at least the lock limit once the address is over its own.

        Axes locks when this reaches AXES_FAILURE_LIMIT (LOGIN_FAILURE_LIMIT + 1), and has one
        limit only: an office behind one public address needs a higher one than a username.
        """
        recent = AccessAttempt.objects.filter(
            attempt_time__gte=get_cool_off_threshold(request)
        )
        by_username = _failures(
            recent.filter(username=get_client_username(request, credentials))
        )
        by_address = _failures(recent.filter(ip_address=request.axes_ip_address))
        if by_address > settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(by_username, settings.AXES_FAILURE_LIMIT)
        return by_username


def client_address(request: HttpRequest) -> str | None:
    """The client's address: the connection's, or the one the outermost trusted proxy saw.

    Behind TRUSTED_PROXY_COUNT proxies that each append to X-Forwarded-For, the client is the
    entry that many places from the right; entries further left are whatever the client sent.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote


def client_description(username, ip_address, user_agent, path_info, request) -> str:
    """A login attempt as the log shows it; the username only if such an account exists.

    People type their password into the username box: an unknown username never reaches
    the log. The password itself is never passed here.
    """
    if isinstance(path_info, list | tuple):
        path_info = path_info[0]
    known = bool(username) and User.objects.filter(username=username).exists()
    fields = {
        "username": username if known else "(tidak dikenal)",
        "address": ip_address,
        "path": path_info,
    }
    # JSON-quoted, so a crafted path cannot start a new log line.
    text = ", ".join(f"{key}: {json.dumps(value)}" for key, value in fields.items())
    return "{" + text + "}"


def lockout_response(request, original_response=None, credentials=None):
    """The login page the view rendered (its form gives the reason), as 429 Too Many Requests."""
    if original_response is not None and original_response.status_code == 200:
        original_response.status_code = 429
        return original_response
    return HttpResponse(
        lockout_message(), status=429, content_type="text/plain; charset=utf-8"
    )
