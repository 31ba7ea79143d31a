"""Each role's home page: what that person needs to see first, gathered from the apps."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from accounts.access import role_of, role_required
from accounts.models import Role
from programs.selectors import coverage_matrix

HOME_OF_ROLE = {
    Role.KELURAHAN: "home:kelurahan",
    Role.KECAMATAN: "home:kecamatan",
    Role.SUDIN: "home:sudin",
    Role.PIMPINAN: "reports:dashboard",
    Role.ADMIN: "admin:index",
}


def home(request):
    """Send each user to their role's home page."""
    role = role_of(request.user)
    if role is None:
        raise PermissionDenied
    return redirect(HOME_OF_ROLE[role])


@role_required(Role.KELURAHAN)
def home_kelurahan(request):
    village = _scope(request, "village")
    district = village.district
    return render(
        request,
        "home/kelurahan.html",
        {
            "village": village,
            "district": district,
            "coverage": coverage_matrix(city=district.city, districts=[district]),
        },
    )


@role_required(Role.KECAMATAN)
def home_kecamatan(request):
    district = _scope(request, "district")
    return render(
        request,
        "home/kecamatan.html",
        {
            "district": district,
            "villages": district.villages.all(),
            "coverage": coverage_matrix(city=district.city, districts=[district]),
        },
    )


@role_required(Role.SUDIN)
def home_sudin(request):
    agency = _scope(request, "agency")
    row = coverage_matrix(city=agency.city, agencies=[agency])[0]
    return render(request, "home/sudin.html", {"agency": agency, "row": row})


def _scope(request, field: str):
    """The place or agency of the signed-in staff member; admins have none to show."""
    profile = getattr(request.user, "staff", None)
    scope = getattr(profile, field, None) if profile else None
    if scope is None:
        # An admin visiting another role's home: there is no scope to show.
        raise PermissionDenied
    return scope
