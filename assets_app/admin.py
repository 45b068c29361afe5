"""Admin for the asset app.

Assets: list filters by kecamatan, use, status and condition; search by register code, name and
address; the history of every change (django-simple-history). Saving goes through the services,
so the geometry is validated and the district derived exactly as over the API.

Officers sign in to the admin as staff (their role makes them staff; the groups' permissions are
set by `documents/migrations/0002_i17_group_permissions.py`); an officer of a user agency reads
every asset but changes only her agency's, as over the API. The asset page follows the KIB
form's order.

A reclassification's fields are read-only here. Its steps (propose on the asset's page; review,
approve, reject, withdraw on the reclassification's page) are forms on their own admin URLs
(`assets_app.admin_decisions`) that call the same services as the API, so the four-eyes rule
and the assessment snapshot are never bypassed; each page offers only the steps the signed-in
user may take now. Their history shows every transition with who and when.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assets_app.admin_decisions import (
    STEP_TITLES,
    STEPS,
    decision_steps,
    decision_view,
    open_reclassification,
    proposal_refusal,
    propose_view,
    snapshot_in_words,
)
from assets_app.admin_widgets import GeometryMapWidget
from assets_app.agencies import agency_write_check
from assets_app.history import asset_history_changes, history_names
from assets_app.models import Agency, Asset, OfficerProfile, Reclassification, Status
from assets_app.services import (
    WRITABLE_FIELDS,
    asset_apply_geometry,
    asset_register,
    asset_update,
    disposal_conflicts,
    status_problem,
)
from core.admin import HistoryAdmin
from core.admin_actions import object_action_urls
from core.roles import ASSET_OFFICER, has_role
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
        widgets = {"geometry": GeometryMapWidget}

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


def asset_documents(user, asset) -> list[dict]:
    """The asset's documents `user` may read, each with its download address, for the asset's
    page (documents builds on assets_app, so its service is imported late)."""
    from documents.services import document_list

    return [
        {"document": d, "url": reverse("document-download", args=[d.pk])}
        for d in document_list(user=user).filter(asset=asset)
    ]


@admin.register(Asset)
class AssetAdmin(HistoryAdmin):
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
    readonly_fields = [
        "register_number",
        "kelurahan",
        "kecamatan",
        "repurposable",
        "created_at",
        "updated_at",
    ]
    ordering = ["register_code"]
    # The KIB form's order: identity and kode barang, the land or building, its title, its
    # acquisition and value, then the register's own (use, status, geometry, districts).
    fieldsets = [
        (
            _("Identity (KIB)"),
            {
                "fields": [
                    "register_code",
                    "item_code",
                    "register_number",
                    "name",
                    "category",
                    "custodian_agency",
                    "custodian",
                ]
            },
        ),
        (
            _("Land and building"),
            {
                "fields": [
                    "land_area_m2",
                    "building_area_m2",
                    "floors",
                    "concrete",
                    "condition",
                    "address",
                    "land_register_code",
                ]
            },
        ),
        (_("Title"), {"fields": ["title_type", "title_date", "title_number"]}),
        (_("Acquisition and value"), {"fields": ["origin", "acquisition_year", "book_value"]}),
        (_("Use"), {"fields": ["use", "facility_type", "status", "repurposable", "notes"]}),
        (_("Location"), {"fields": ["geometry", "kelurahan", "kecamatan"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        try:
            agency_write_check(request.user, obj.custodian_agency_id)
        except PermissionDenied:
            return False  # readable, not writable: the page shows it read-only
        return True

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

    def get_urls(self):
        def propose(request, object_id, _name):
            return propose_view(self, request, object_id)

        return [*object_action_urls(self, ["propose"], propose), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The page links to a change-of-use proposal form for an officer who may propose it
        now, and to the asset's open proposal if it has one."""
        extra_context = dict(extra_context or {})
        asset = self.get_object(request, unquote(object_id))
        if asset is not None:
            may_write = self.has_change_permission(request, asset)
            if proposal_refusal(request.user, asset, may_write) is None:
                extra_context["propose_url"] = reverse(
                    "admin:assets_app_asset_propose",
                    args=[asset.pk],
                    current_app=self.admin_site.name,
                )
            if may_write and has_role(request.user, ASSET_OFFICER):
                attach = reverse("admin:documents_attach", current_app=self.admin_site.name)
                extra_context["attach_url"] = f"{attach}?asset={asset.pk}"
            extra_context["documents"] = asset_documents(request.user, asset)
            current = open_reclassification(asset)
            if current is not None and self.admin_site.is_registered(Reclassification):
                extra_context["open_reclassification_url"] = reverse(
                    "admin:assets_app_reclassification_change",
                    args=[current.pk],
                    current_app=self.admin_site.name,
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Each record's changes as the API's history reads them: field names in the active
        language, choice labels, agency and district names (`assets_app.history`)."""
        records = list(historical_records)
        names = history_names()
        for i, record in enumerate(records):
            previous = records[i + 1] if i + 1 < len(records) else record.prev_record
            record.history_delta_changes = [
                {
                    "field": change["field_label"],
                    "old": change["old_display"],
                    "new": change["new_display"],
                }
                for change in asset_history_changes(record, previous, names=names)
            ]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "location_code", "runs_outlets"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # assets and history refer to it


@admin.register(OfficerProfile)
class OfficerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "agency"]
    list_filter = ["agency"]
    search_fields = ["user__username"]
    list_select_related = ["user", "agency"]


@admin.register(Reclassification)
class ReclassificationAdmin(HistoryAdmin):
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

    # The assessment snapshots are JSON: the page shows them in words.
    SNAPSHOTS = {"assessment": "assessment_words", "decision_assessment": "decision_words"}

    def get_readonly_fields(self, request, obj=None):
        return [self.SNAPSHOTS.get(f.name, f.name) for f in self.model._meta.fields]

    @admin.display(description=_("assessment snapshot"))
    def assessment_words(self, obj):
        return snapshot_in_words(obj.assessment)

    @admin.display(description=_("assessment at the decision"))
    def decision_words(self, obj):
        return snapshot_in_words(obj.decision_assessment)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        def step(request, object_id, name):
            return decision_view(self, request, object_id, name)

        return [*object_action_urls(self, STEPS, step), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The page links to the steps the signed-in user may take now, each its own form."""
        extra_context = dict(extra_context or {})
        reclassification = self.get_object(request, unquote(object_id))
        if reclassification is not None:
            extra_context["decision_links"] = [
                {
                    "step": step,
                    "title": STEP_TITLES[step],
                    "url": reverse(
                        f"admin:assets_app_reclassification_{step}",
                        args=[reclassification.pk],
                        current_app=self.admin_site.name,
                    ),
                }
                for step in decision_steps(request.user, reclassification)
            ]
        return super().change_view(request, object_id, form_url, extra_context)
