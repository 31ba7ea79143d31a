from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jakpreneur.admin_tools import FastModelAdmin

from .models import City, District, Province, Village


@admin.register(Province)
class ProvinceAdmin(FastModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(City)
class CityAdmin(FastModelAdmin):
    list_display = ["code", "name", "kind", "province"]
    list_filter = ["kind"]
    list_select_related = ["province"]
    search_fields = ["code", "name"]


@admin.register(District)
class DistrictAdmin(FastModelAdmin):
    list_display = ["code", "name", "city", "slug", "office_phone"]
    fields = ["code", "name", "city", "slug", "office_address", "office_phone"]
    readonly_fields = ["slug"]
    list_filter = ["city"]
    list_select_related = ["city"]
    search_fields = ["code", "name"]


@admin.register(Village)
class VillageAdmin(FastModelAdmin):
    list_display = ["code", "name", "district", "city_name"]
    list_filter = ["district__city", "district"]
    list_select_related = ["district__city"]
    search_fields = ["code", "name", "district__name"]

    @admin.display(description=_("kota"), ordering="district__city__code")
    def city_name(self, village):
        return village.district.city.short_name
