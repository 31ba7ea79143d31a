"""Reports are for pimpinan (their kota) and admins (any kota). Deny by default."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.access import Role, role_of
from wilayah.models import City

from .selectors import cities_visible_to


def report_city_for(user, code: str | None) -> City:
    """The kota a report is about: 403 for other roles and for another kota's pimpinan."""
    role = role_of(user)
    if role not in {Role.PIMPINAN, Role.ADMIN}:
        raise PermissionDenied
    if role == Role.PIMPINAN:
        city = user.staff.city
        if code and code != city.code:
            raise PermissionDenied
        return city
    return get_object_or_404(cities_visible_to(user=user), code=code or "31.73")
