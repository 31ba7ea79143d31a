from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("beranda/kelurahan/", views.home_kelurahan, name="home_kelurahan"),
    path("beranda/kecamatan/", views.home_kecamatan, name="home_kecamatan"),
    path("beranda/sudin/", views.home_sudin, name="home_sudin"),
    path("beranda/pimpinan/", views.home_pimpinan, name="home_pimpinan"),
]
