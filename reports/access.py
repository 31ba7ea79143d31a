"""Which kota a report is about, by the one access policy (accounts.access)."""

from django.core.exceptions import PermissionDenied

from accounts.access import cities_visible_to, is_admin, may_read_reports
from wilayah.models import City

DEFAULT_CITY = "31.73"  # Jakarta Barat, for admins who name no kota


def report_city_for(user, code: str | None) -> City:
    """The kota a report is about: 403 for roles that read no reports and for a kota
    the user may not read."""
    if not may_read_reports(user):
        raise PermissionDenied
    cities = cities_visible_to(user=user)
    if code:
        city = cities.filter(code=code).first()
    else:
        city = cities.filter(code=DEFAULT_CITY).first() if is_admin(user) else None
        city = city or cities.first()
    if city is None:
        raise PermissionDenied
    return city
