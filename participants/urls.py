from django.urls import path

from . import views

app_name = "participants"
urlpatterns = [
    path("", views.resident_list, name="list"),
    path("tambah/", views.resident_create, name="create"),
    path("ekspor.csv", views.resident_export, {"fmt": "csv"}, name="export_csv"),
    path("ekspor.xlsx", views.resident_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("cari-nik/", views.nik_lookup, name="lookup"),
    path("info-nik/", views.nik_info, name="nik_info"),
    path("pilihan-kelurahan/", views.village_options, name="village_options"),
    path("<int:pk>/", views.resident_detail, name="detail"),
    path("<int:pk>/ubah/", views.resident_edit, name="edit"),
    path("<int:pk>/batal/", views.resident_void_view, name="void"),
    path("<int:pk>/nik/", views.reveal_nik, name="reveal_nik"),
    path("<int:pk>/tahap/", views.stage_create, name="stage_create"),
    path(
        "<int:pk>/tahap/<int:record_pk>/hapus/", views.stage_delete, name="stage_delete"
    ),
    path("<int:pk>/data-pribadi/", views.subject_export, name="subject"),
    path(
        "<int:pk>/data-pribadi.json",
        views.subject_export,
        {"fmt": "json"},
        name="subject_json",
    ),
]
