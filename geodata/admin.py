from django.contrib import admin

from core.admin import HistoryAdmin
from geodata.models import District, PopulationSource, ServiceStandard


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "area_km2", "population", "population_year"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    readonly_fields = ["geometry", "min_lon", "min_lat", "max_lon", "max_lat", "lon", "lat"]


@admin.register(ServiceStandard)
class ServiceStandardAdmin(HistoryAdmin):
    """Officials adjust radii and catchments here; every change is kept with who and when.

    Stored `repurposable` flags follow on the next `manage.py assess_assets` (or when an
    affected asset changes); the assessment endpoint always uses the current values.
    """

    list_display = ["facility_type", "use", "name", "radius_m", "residents_per_facility", "source"]
    list_filter = ["use"]
    readonly_fields = ["facility_type", "use", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return False  # one row per facility type, loaded by the migration

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PopulationSource)
class PopulationSourceAdmin(admin.ModelAdmin):
    """Read-only record of each build of the population surface (`import_population`)."""

    list_display = ["id", "level", "year", "source", "cell_count", "total_population", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
