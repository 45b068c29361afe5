"""Admin for reference facilities: officials read and correct rows; every change is kept."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from facilities.models import ReferenceFacility


@admin.register(ReferenceFacility)
class ReferenceFacilityAdmin(SimpleHistoryAdmin):
    """Imports go through `import_facilities` or the API (they re-assess the city's assets);
    an edit here is picked up by the next `manage.py assess_assets`."""

    list_display = [
        "national_id",
        "name",
        "kind",
        "facility_type",
        "category",
        "provider",
        "status",
        "kecamatan",
        "synthetic",
    ]
    list_filter = ["kind", "facility_type", "provider", "status", "synthetic"]
    search_fields = ["national_id", "name"]
    readonly_fields = ["kelurahan", "kecamatan", "created_at", "updated_at"]
    raw_id_fields = ["asset"]
