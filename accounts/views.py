from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from programs.models import FieldLead
from programs.selectors import agencies_of_city, coverage_matrix
from wilayah.models import District

from .access import Role, role_of, role_required

HOME_OF_ROLE = {
    Role.KELURAHAN: "accounts:home_kelurahan",
    Role.KECAMATAN: "accounts:home_kecamatan",
    Role.SUDIN: "accounts:home_sudin",
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
        "accounts/home_kelurahan.html",
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
        "accounts/home_kecamatan.html",
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
    return render(request, "accounts/home_sudin.html", {"agency": agency, "row": row})


@role_required(Role.PIMPINAN)
def home_pimpinan(request):
    city = _scope(request, "city")
    districts = District.objects.filter(city=city)
    rows = coverage_matrix(
        city=city, agencies=agencies_of_city(city=city), districts=districts
    )
    return render(
        request,
        "accounts/home_pimpinan.html",
        {
            "city": city,
            "districts": districts,
            "coverage": rows,
            "active_leads": FieldLead.objects.filter(
                active=True, agency__city=city
            ).count(),
        },
    )


def _scope(request, field: str):
    """The place or agency of the signed-in staff member; admins have none to show."""
    profile = getattr(request.user, "staff", None)
    scope = getattr(profile, field, None) if profile else None
    if scope is None:
        # An admin visiting another role's home: there is no scope to show.
        raise PermissionDenied
    return scope
