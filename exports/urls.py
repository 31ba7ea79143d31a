from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("", views.export_list, name="list"),
    path("<int:job_id>/", views.export_detail, name="detail"),
    path("<int:job_id>/jalankan-lagi/", views.export_rerun, name="rerun"),
    path("<int:job_id>/unduh/", views.export_download, name="download"),
]
