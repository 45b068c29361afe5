"""Admin for the asset app.

Reclassifications are read-only here: proposals and decisions go through the API so that the
four-eyes rule and the assessment snapshot are never bypassed. Their history shows every
transition with who and when.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from assets_app.models import Reclassification


@admin.register(Reclassification)
class ReclassificationAdmin(SimpleHistoryAdmin):
    list_display = [
        "id",
        "asset",
        "status",
        "proposed_by",
        "proposed_at",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status"]
    search_fields = ["asset__register_code", "asset__name", "reason"]
    list_select_related = ["asset", "proposed_by", "decided_by"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
