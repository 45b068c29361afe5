"""Admin pages for outlets and allocation. The vendor page never shows the NIK's ciphertext or
hash, only its masked form, and only administrators see her gender and birth date.

Vendors, outlets, stalls, rounds, applications, offers and leases are read-only here for
everyone (`ReadOnlyAdmin`): every write goes through the services, over the API or, for a
lease's payments and warning letters, the action forms on its page
(`operations/admin_actions.py`). Outlet managers read them all; a planner reads leases. A row
that names a vendor shows her business name to every reader, and her full name and masked NIK
only to outlet managers and administrators (`VendorColumns`), as the API does. Statuses are the
derived ones readers see over the API (a lease past its end date reads ended, an offer past its
time expired)."""

from __future__ import annotations

from decimal import Decimal
from operator import attrgetter

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Case, F, Value, When
from django.db.models import CharField as CharOutput
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from core.admin import HistoryAdmin
from core.roles import OUTLET_MANAGER, has_role
from outlets.managers import offers_due
from outlets.models import (
    AllocationRound,
    AllocationRun,
    Application,
    ApplicationChoice,
    ClaimVerification,
    DuplicateNikAttempt,
    Lease,
    LeaseStatus,
    Offer,
    OfferStatus,
    Outlet,
    Stall,
    StallStatus,
    Vendor,
)


def rupiah(value: Decimal | None) -> str:
    """A Decimal amount of rupiah with its two decimals, grouped as the page's language groups
    numbers: 'Rp 120.000,00' in Indonesian, 'Rp 120,000.00' in English."""
    if value is None:
        return "-"
    return f"Rp {number_format(value, 2, force_grouping=True)}"


def sees_vendors(request) -> bool:
    """Whether the signed-in user may read a vendor's name and masked NIK (outlet managers and
    administrators; a planner sees only the business name on a lease)."""
    return request.user.is_superuser or has_role(request.user, OUTLET_MANAGER)


class StallColumns:
    """Columns for a row on a stall: the stall's code, its outlet's name, and the status readers
    see (`status_choices` labels the row's `effective_status`)."""

    status_choices = None

    @admin.display(description=_("stall"), ordering="stall__code")
    def stall_code(self, obj) -> str:
        return obj.stall.code

    @admin.display(description=_("outlet"), ordering="stall__outlet__name")
    def outlet(self, obj) -> str:
        return obj.stall.outlet.name

    @admin.display(description=_("status"), ordering="state")
    def state_display(self, obj) -> str:
        return self.status_choices(obj.effective_status).label


class ReadOnlyAdmin:
    """Viewing only, for every user (administrators included): the services own each write."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StateFilter(admin.SimpleListFilter):
    """Filter on the annotated `state` (the derived status readers see), named 'status'."""

    title = _("status")
    parameter_name = "status"
    states: type | None = None

    def lookups(self, request, model_admin):
        return self.states.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(state=self.value())
        return queryset


class LeaseStateFilter(StateFilter):
    states = LeaseStatus


class StallStateFilter(StateFilter):
    states = StallStatus


class OfferStateFilter(StateFilter):
    states = OfferStatus


class VendorColumns:
    """The vendor's business name for every reader of a row; her full name and masked NIK as
    extra columns and change-page fields for outlet managers and administrators only.
    `vendor_path` is the attribute path from the row to its vendor ("lease.vendor")."""

    vendor_path = "vendor"
    personal_columns = ("vendor_full_name", "vendor_nik_masked")

    def _vendor(self, obj) -> Vendor | None:
        try:
            return attrgetter(self.vendor_path)(obj)
        except AttributeError:
            return None

    @admin.display(description=_("business name"))
    def vendor_business_name(self, obj) -> str:
        vendor = self._vendor(obj)
        return vendor.business_name if vendor else "-"

    @admin.display(description=_("full name"))
    def vendor_full_name(self, obj) -> str:
        vendor = self._vendor(obj)
        return vendor.full_name if vendor else "-"

    @admin.display(description=_("NIK (masked)"))
    def vendor_nik_masked(self, obj) -> str:
        vendor = self._vendor(obj)
        return vendor.nik_masked if vendor else "-"

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if sees_vendors(request):
            return columns
        return tuple(c for c in columns if c not in self.personal_columns)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        extra = ("vendor_business_name",)
        if sees_vendors(request):
            extra += self.personal_columns
        return fields + tuple(f for f in extra if f not in fields)


@admin.register(Outlet)
class OutletAdmin(ReadOnlyAdmin, HistoryAdmin):
    list_display = ("id", "name", "asset", "manager", "opening_hours", "created_at")
    list_select_related = ("asset", "manager")
    search_fields = ("name", "asset__register_code")
    filter_horizontal = ("managers",)


@admin.register(Stall)
class StallAdmin(ReadOnlyAdmin, HistoryAdmin):
    list_display = ("id", "code", "outlet", "kind", "state_display", "area_m2", "fee")
    list_select_related = ("outlet",)
    list_filter = (StallStateFilter, "outlet", "kind")
    search_fields = ("code", "outlet__name")

    def get_queryset(self, request):
        return super().get_queryset(request).with_state()

    @admin.display(description=_("status"), ordering="state")
    def state_display(self, obj) -> str:
        return StallStatus(obj.effective_status).label

    @admin.display(description=_("monthly fee (IDR)"), ordering="monthly_fee")
    def fee(self, obj) -> str:
        return rupiah(obj.monthly_fee)


class DuplicateNikAttemptInline(admin.TabularInline):
    """Refused registrations that gave this vendor's NIK (read-only: the service records them)."""

    model = DuplicateNikAttempt
    fields = ("at", "request_id")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ClaimVerificationInline(admin.TabularInline):
    """Managers' checks of the vendor's claims (read-only: made through the API's verify)."""

    model = ClaimVerification
    fields = ("claim", "verified_by", "verified_at", "reason", "revoked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


# What only administrators see of a vendor: outlet managers get what the API's managers' view
# gives them (`api/outlets/views/vendors.py`), no gender and no birth date.
VENDOR_ADMIN_ONLY = ("gender", "birth_date")


@admin.register(Vendor)
class VendorAdmin(ReadOnlyAdmin, HistoryAdmin):
    # Read-only for administrators too: a vendor's record changes through her own pages and the
    # services (the NIK, the programme claims a manager verifies), never by a form on the row.
    list_display = ("id", "full_name", "nik_masked", "business_name", "product_category")
    search_fields = ("full_name", "business_name", "user__username")
    exclude = ("nik_encrypted", "nik_hash")
    readonly_fields = ("nik_masked", *VENDOR_ADMIN_ONLY)
    history_list_display = ("nik_masked",)
    inlines = [ClaimVerificationInline, DuplicateNikAttemptInline]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return fields
        return tuple(f for f in fields if f not in VENDOR_ADMIN_ONLY)

    def get_exclude(self, request, obj=None):
        exclude = tuple(super().get_exclude(request, obj) or ())
        if request.user.is_superuser:
            return exclude
        return exclude + VENDOR_ADMIN_ONLY


@admin.register(AllocationRound)
class AllocationRoundAdmin(ReadOnlyAdmin, HistoryAdmin):
    list_display = ("id", "name", "status", "opens_at", "closes_at", "lease_months")
    list_filter = ("status", "outlets")
    search_fields = ("name", "outlets__name")
    exclude = ("seed",)
    readonly_fields = ("status", "seed_commitment")


@admin.register(AllocationRun)
class AllocationRunAdmin(admin.ModelAdmin):
    list_display = ("id", "round", "engine_version", "input_sha256", "created_at")

    def has_change_permission(self, request, obj=None):
        return False


class ApplicationChoiceInline(ReadOnlyInline):
    """The application's ranked choices (group: outlet and stall kind), as the vendor gave them."""

    model = ApplicationChoice
    fields = ("rank", "outlet", "stall_kind", "priority")
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(VendorColumns, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = (
        "id", "round", "vendor_business_name", "vendor_full_name", "vendor_nik_masked",
        "status", "created_at",
    )  # fmt: skip
    list_select_related = ("round", "vendor")
    list_filter = ("status", "round", "choices__outlet")
    search_fields = ("vendor__business_name", "round__name", "choices__outlet__name")
    inlines = [ApplicationChoiceInline]


@admin.register(Offer)
class OfferAdmin(StallColumns, VendorColumns, ReadOnlyAdmin, HistoryAdmin):
    status_choices = OfferStatus
    vendor_path = "application.vendor"
    list_display = (
        "id", "stall_code", "outlet", "vendor_business_name", "vendor_full_name",
        "vendor_nik_masked", "state_display", "expires_at",
    )  # fmt: skip
    list_select_related = ("stall__outlet", "application__vendor")
    list_filter = (OfferStateFilter, "stall__outlet", "stall__kind")
    search_fields = ("stall__code", "stall__outlet__name", "application__vendor__business_name")

    def get_queryset(self, request):
        state = Case(
            When(offers_due(), then=Value(OfferStatus.EXPIRED)),
            default=F("status"),
            output_field=CharOutput(),
        )
        return super().get_queryset(request).annotate(state=state)


@admin.register(Lease)
class LeaseAdmin(StallColumns, VendorColumns, ReadOnlyAdmin, HistoryAdmin):
    status_choices = LeaseStatus
    list_display = (
        "id", "stall_code", "outlet", "vendor_business_name", "vendor_full_name",
        "vendor_nik_masked", "state_display", "start_date", "end_date", "fee",
    )  # fmt: skip
    list_select_related = ("stall__outlet", "vendor")
    list_filter = (LeaseStateFilter, "stall__outlet", "stall__kind")
    search_fields = ("stall__code", "stall__outlet__name", "vendor__business_name")

    def get_queryset(self, request):
        return super().get_queryset(request).with_state()

    @admin.display(description=_("monthly fee (IDR)"), ordering="monthly_fee")
    def fee(self, obj) -> str:
        return rupiah(obj.monthly_fee)

    def get_urls(self):
        """A manager of the lease's outlet records a payment and issues the next warning letter,
        each on its own form (`operations.admin_actions`)."""
        from operations.admin_actions import action_urls

        return [*action_urls(self), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The page links to those forms for a manager of the lease's outlet, and shows every
        reader the lease's account today: the balance owed and the bills as settled."""
        from operations.admin_actions import account_summary, action_links

        extra_context = dict(extra_context or {})
        lease = self.get_object(request, unquote(object_id))
        if lease is not None:
            extra_context["action_links"] = action_links(self, request, lease)
            extra_context["account"] = account_summary(lease)
        return super().change_view(request, object_id, form_url, extra_context)
