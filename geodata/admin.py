from django.contrib import admin

from geodata.models import District


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "area_km2", "population", "population_year"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    readonly_fields = ["geometry", "min_lon", "min_lat", "max_lon", "max_lat", "lon", "lat"]
