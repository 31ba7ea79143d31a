from django.urls import path

from . import views

app_name = "outreach"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("tambah/", views.activity_create, name="create"),
    path("<int:pk>/ubah/", views.activity_edit, name="edit"),
    path("<int:pk>/hapus/", views.activity_delete, name="delete"),
]
