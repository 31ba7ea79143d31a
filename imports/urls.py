from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.import_list, name="list"),
    path("templat.xlsx", views.import_template, name="template"),
    path("<int:job_id>/", views.import_detail, name="detail"),
    path("<int:job_id>/simpan/", views.import_commit_view, name="commit"),
    path("<int:job_id>/lanjutkan/", views.import_resume, name="resume"),
    path("<int:job_id>/kesalahan.xlsx", views.import_errors, name="errors"),
]
