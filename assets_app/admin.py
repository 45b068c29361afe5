"""Admin for the asset app.

Assets: list filters by kecamatan, use, status and condition; search by register code, name and
address; the history of every change (django-simple-history). Saving goes through the services,
so the geometry is validated and the district derived exactly as over the API.

Reclassifications are read-only here: proposals and decisions go through the API so that the
four-eyes rule and the assessment snapshot are never bypassed. Their history shows every
transition with who and when.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from assets_app.models import Asset, Reclassification, Status
from assets_app.services import (
    WRITABLE_FIELDS,
    asset_apply_geometry,
    asset_register,
    asset_update,
    disposal_conflicts,
    status_problem,
)
from geodata.models import District, DistrictLevel


class KecamatanFilter(admin.SimpleListFilter):
    title = _("kecamatan")
    parameter_name = "kecamatan"

    def lookups(self, request, model_admin):
        return list(
            District.objects.filter(level=DistrictLevel.KECAMATAN).values_list("code", "name")
        )

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(kecamatan_id=self.value())
        return queryset


class AssetAdminForm(forms.ModelForm):
    class Meta:
        model = Asset
        fields = sorted(WRITABLE_FIELDS)

    def clean(self):
        cleaned = super().clean()
        if "geometry" in cleaned:
            try:
                # Checked here so a bad geometry shows on the form (on a throwaway copy).
                asset_apply_geometry(Asset(), cleaned["geometry"])
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        self.add_error(field, message)
        if "status" in cleaned:
            # The service refuses these too; here they show on the form instead of a 500.
            before = self.instance.status if self.instance.pk else None
            problem = status_problem(before, cleaned["status"])
            disposing = cleaned["status"] == Status.DISPOSED and before != Status.DISPOSED
            if problem is None and disposing and self.instance.pk:
                problem = disposal_conflicts([self.instance.pk]).get(self.instance.pk)
            if problem:
                self.add_error("status", problem)
        return cleaned


@admin.register(Asset)
class AssetAdmin(SimpleHistoryAdmin):
    form = AssetAdminForm
    list_display = [
        "register_code",
        "name",
        "use",
        "facility_type",
        "status",
        "condition",
        "kelurahan",
        "land_area_m2",
    ]
    list_filter = [KecamatanFilter, "use", "status", "condition", "category", "facility_type"]
    search_fields = ["register_code", "name", "address"]
    list_select_related = ["kelurahan"]
    readonly_fields = ["kelurahan", "kecamatan", "repurposable", "created_at", "updated_at"]
    ordering = ["register_code"]

    def save_model(self, request, obj, form, change):
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            saved = asset_update(asset=obj, user=request.user, data=data)
        else:
            data = {name: form.cleaned_data[name] for name in form.fields}
            saved = asset_register(user=request.user, data=data)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None) -> bool:
        # The register keeps its records; disposal is a status, not a deletion.
        return False


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
