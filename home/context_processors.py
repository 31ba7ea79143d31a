from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import (
    is_admin,
    is_staff_member,
    may_handle_applications,
    may_import,
    may_keep_records,
    may_list_residents,
    may_manage_programs,
    may_read_reports,
    may_record_outreach,
    may_see_coverage,
    role_of,
)

# Menu entries: (label, url name, who sees it). Admins reach everything through the admin.
MENU = [
    (_("Beranda"), "home:home", is_staff_member),
    (_("Warga"), "participants:list", may_list_residents),
    (_("Daftarkan warga"), "participants:create", may_keep_records),
    # Those who enrol residents find them by NIK; the others search the resident list.
    (_("Cari NIK"), "participants:lookup", may_manage_programs),
    (_("Pelatihan"), "programs:list", is_staff_member),
    (_("Impor"), "imports:list", may_import),
    (_("Cakupan"), "programs:coverage", may_see_coverage),
    (_("Laporan"), "reports:dashboard", may_read_reports),
    # The desks' own work (issue 13); admins reach both through /pengajuan/ and the admin
    # site, and their menu keeps to one row at 1366 px.
    (
        _("Pengajuan"),
        "applications:queue",
        lambda user: not is_admin(user) and may_handle_applications(user),
    ),
    (
        _("Sosialisasi"),
        "outreach:list",
        lambda user: not is_admin(user) and may_record_outreach(user),
    ),
]


def navigation(request):
    """The menu a user may use, and their role, for base.html."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = role_of(user)
    items = [
        {"label": label, "url": reverse(name)}
        for label, name, shown in MENU
        if shown(user)
    ]
    return {
        "nav_items": items,
        "nav_role": role,
        "nav_is_admin": is_admin(user),
    }
