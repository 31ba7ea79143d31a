"""Which kota a report is about, by the one access policy (accounts.access)."""

from django.core.exceptions import PermissionDenied

from accounts.access import cities_visible_to, is_admin, may_read_reports
from wilayah.models import City

DEFAULT_CITY = "31.73"  # Jakarta Barat, for admins who name no kota


def report_city_for(user, code: str | None) -> City:
    """The kota a report is about: 403 for roles that read no reports and for a kota
    the user may not read."""
    return report_cities_for(user, code)[0]


def report_cities_for(user, code: str | None) -> tuple[City, list[City]]:
    """The kota a report is about and every kota the user may choose from, read at once
    (at most the six kota of DKI Jakarta)."""
    if not may_read_reports(user):
        raise PermissionDenied
    cities = list(cities_visible_to(user=user))
    by_code = {city.code: city for city in cities}
    if code:
        city = by_code.get(code)
    else:
        city = by_code.get(DEFAULT_CITY) if is_admin(user) else None
        city = city or (cities[0] if cities else None)
    if city is None:
        raise PermissionDenied
    return city, cities
