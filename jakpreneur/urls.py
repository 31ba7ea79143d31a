from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from . import views

admin.site.site_header = _("Jakpreneur Tracker — Admin")
admin.site.site_title = _("Jakpreneur Tracker")
admin.site.index_title = _("Pengelolaan data")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    # Issue 13, online registration: program/daftar/ and program/status/ (before the
    # public pages' program/<slug>/), and the kelurahan's queue at pengajuan/.
    path("", include("applications.urls")),
    path("warga/", include("participants.urls")),
    path("pelatihan/", include("programs.urls")),
    path("laporan/", include("reports.urls")),
    path("impor/", include("imports.urls")),
    path("ekspor/", include("exports.urls")),
    path("program/", include("public.urls")),
    path("sosialisasi/", include("outreach.urls")),
    path("", include("home.urls")),
]

handler500 = "jakpreneur.views.server_error"
