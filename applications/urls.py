from django.urls import path

from . import views

app_name = "applications"
# Mounted at the root: the public pages under program/ (before the public app's
# program/<slug>/), the kelurahan's queue under pengajuan/.
urlpatterns = [
    path("program/daftar/", views.apply, name="apply"),
    path("program/daftar/terkirim/", views.sent, name="sent"),
    path("program/status/", views.status, name="status"),
    path("pengajuan/", views.queue, name="queue"),
    path("pengajuan/<int:pk>/", views.detail, name="detail"),
    path("pengajuan/<int:pk>/terima/", views.accept, name="accept"),
]
