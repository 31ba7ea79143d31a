from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rincian/", views.city_breakdowns, name="breakdowns"),
    path("cetak/", views.print_report, name="print"),
    path("kecamatan/<str:code>/", views.district_detail, name="district"),
    path("capaian.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("capaian.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("capaian.json", views.export, {"fmt": "json"}, name="export_json"),
]
