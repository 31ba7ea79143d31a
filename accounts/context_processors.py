from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .access import Role, role_of

# Menu entries: (label, url name, roles that see it). Admins see everything.
MENU = [
    (_("Beranda"), "accounts:home", None),
    (_("Warga"), "participants:list", {Role.KELURAHAN, Role.KECAMATAN, Role.PIMPINAN}),
    (_("Daftarkan warga"), "participants:create", {Role.KELURAHAN, Role.KECAMATAN}),
    (_("Cari NIK"), "participants:lookup", {Role.SUDIN}),
    (
        _("Pelatihan"),
        "programs:list",
        {Role.KELURAHAN, Role.KECAMATAN, Role.SUDIN, Role.PIMPINAN},
    ),
    (_("Cakupan"), "programs:coverage", {Role.SUDIN, Role.PIMPINAN}),
    (_("Laporan"), "reports:dashboard", {Role.PIMPINAN}),
]


def navigation(request):
    """The menu a user may use, and their role, for base.html."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = role_of(user)
    items = [
        {"label": label, "url": reverse(name)}
        for label, name, roles in MENU
        if role is not None and (roles is None or role in roles or role == Role.ADMIN)
    ]
    return {
        "nav_items": items,
        "nav_role": role,
        "nav_is_admin": role == Role.ADMIN,
    }
