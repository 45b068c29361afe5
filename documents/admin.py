"""Documents in the admin: read-only records (they are attached over the API, where the content
check and the object's permissions apply)."""

from django.contrib import admin

from documents.models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "title", "asset", "reclassification", "lease", "uploaded_at"]
    list_filter = ["kind", "content_type"]
    search_fields = ["title", "original_name", "sha256"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
