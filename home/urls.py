from django.urls import path

from . import views

app_name = "home"
urlpatterns = [
    path("", views.home, name="home"),
    path("beranda/kelurahan/", views.home_kelurahan, name="kelurahan"),
    path("beranda/kecamatan/", views.home_kecamatan, name="kecamatan"),
    path("beranda/sudin/", views.home_sudin, name="sudin"),
]
