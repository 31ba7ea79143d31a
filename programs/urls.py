from django.urls import path

from . import views

app_name = "programs"
urlpatterns = [
    path("", views.program_list, name="list"),
    path("tambah/", views.program_create_view, name="create"),
    path("cakupan/", views.coverage, name="coverage"),
    path("usulkan/<int:resident_pk>/", views.propose, name="propose"),
    path("<int:pk>/", views.program_detail, name="detail"),
    path("<int:pk>/ubah/", views.program_edit, name="edit"),
    path("<int:pk>/daftar-nik/", views.enroll_by_nik, name="enroll_nik"),
    path("<int:pk>/daftar-kelurahan/", views.enroll_village, name="enroll_village"),
    path("<int:pk>/kehadiran/", views.roster_save, name="roster"),
    path("<int:pk>/peserta.xlsx", views.roster_xlsx, name="roster_xlsx"),
    path("<int:pk>/daftar-hadir/", views.attendance_sheet, name="attendance_sheet"),
]
