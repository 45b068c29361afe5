"""Read-only admin pages for outlet operations: bills, payments and their reversals, warning
letters, terminations, inspections, renewal requests, waitlist offers, and the terms, tariffs and
lease pricings rent is set by.

Nobody adds, changes or deletes here, administrators included (`outlets.admin.ReadOnlyAdmin`):
every write goes through the services, which check the rules; a manager of the lease's outlet
reverses a payment and marks a warning resolved on their own forms (`operations.admin_actions`).
Outlet managers read every page; a planner reads bills and payments. Money is shown as the
Decimal rupiah it is stored as; a row's vendor is her business name, and for outlet managers also
her full name and masked NIK."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.utils.translation import gettext_lazy as _

from core.admin import HistoryAdmin
from operations.admin_actions import action_links, action_urls
from operations.models import (
    Bill,
    Inspection,
    LeasePricing,
    OutletTerms,
    Payment,
    RenewalRequest,
    Reversal,
    Tariff,
    Termination,
    WaitlistOffer,
    WaitlistOfferStatus,
    WarningLetter,
)
from outlets.admin import ReadOnlyAdmin, StallColumns, StateFilter, VendorColumns, rupiah

# The joins that name a row's lease: its stall, the stall's outlet and the vendor.
LEASE_JOINS = ("lease__stall__outlet", "lease__vendor")
LEASE_SEARCH = ("lease__stall__code", "lease__stall__outlet__name", "lease__vendor__business_name")


class LeaseColumns(VendorColumns):
    """Columns for a row that belongs to a lease: the stall's code and its outlet's name."""

    vendor_path = "lease.vendor"

    @admin.display(description=_("stall"), ordering="lease__stall__code")
    def stall_code(self, obj) -> str:
        return obj.lease.stall.code

    @admin.display(description=_("outlet"), ordering="lease__stall__outlet__name")
    def outlet(self, obj) -> str:
        return obj.lease.stall.outlet.name


class OperationsAdmin(ReadOnlyAdmin, HistoryAdmin):
    """A read-only page of a model with history (read, never reverted)."""


class ActionsAdmin:
    """A page whose object a manager of its lease's outlet acts on through a form of its own
    (`operations.admin_actions`): the links on the page, the forms on their own URLs."""

    def get_urls(self):
        return [*action_urls(self), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, unquote(object_id))
        extra_context["action_links"] = action_links(self, request, obj)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Bill)
class BillAdmin(LeaseColumns, OperationsAdmin):
    list_display = (
        "id", "lease", "stall_code", "outlet", "vendor_business_name", "period_start",
        "period_end", "due_date", "amount_rupiah",
    )  # fmt: skip
    list_select_related = LEASE_JOINS
    list_filter = ("lease__stall__outlet", "lease__stall__kind", "due_date")
    search_fields = LEASE_SEARCH
    date_hierarchy = "period_start"

    @admin.display(description=_("amount (IDR)"), ordering="amount")
    def amount_rupiah(self, obj) -> str:
        return rupiah(obj.amount)


@admin.register(Payment)
class PaymentAdmin(ActionsAdmin, LeaseColumns, OperationsAdmin):
    list_display = (
        "receipt_number", "reference", "lease", "stall_code", "outlet", "vendor_business_name",
        "paid_on", "amount_rupiah", "source", "reversed", "recorded_by",
    )  # fmt: skip
    list_select_related = (*LEASE_JOINS, "reversal", "recorded_by")
    list_filter = ("source", "lease__stall__outlet", "lease__stall__kind", "paid_on")
    search_fields = ("receipt_number", "reference", *LEASE_SEARCH)

    @admin.display(description=_("amount (IDR)"), ordering="amount")
    def amount_rupiah(self, obj) -> str:
        return rupiah(obj.amount)

    @admin.display(description=_("reversed"), boolean=True)
    def reversed(self, obj) -> bool:
        return hasattr(obj, "reversal")


@admin.register(Reversal)
class ReversalAdmin(VendorColumns, OperationsAdmin):
    vendor_path = "payment.lease.vendor"
    list_display = (
        "id", "receipt_number", "vendor_business_name", "amount_rupiah", "reason", "reversed_by",
        "created_at",
    )  # fmt: skip
    list_select_related = ("payment__lease__stall__outlet", "payment__lease__vendor", "reversed_by")
    list_filter = ("payment__lease__stall__outlet",)
    search_fields = (
        "payment__receipt_number", "payment__reference", "payment__lease__stall__code",
        "payment__lease__stall__outlet__name", "payment__lease__vendor__business_name",
    )  # fmt: skip

    @admin.display(description=_("receipt number"), ordering="payment__receipt_number")
    def receipt_number(self, obj) -> str:
        return obj.payment.receipt_number

    @admin.display(description=_("amount (IDR)"), ordering="payment__amount")
    def amount_rupiah(self, obj) -> str:
        return rupiah(obj.payment.amount)


@admin.register(WarningLetter)
class WarningLetterAdmin(ActionsAdmin, LeaseColumns, OperationsAdmin):
    list_display = (
        "id", "lease", "stall_code", "outlet", "vendor_business_name", "level", "reason",
        "issued_on", "deadline", "resolved_on",
    )  # fmt: skip
    list_select_related = LEASE_JOINS
    list_filter = ("level", "reason", "lease__stall__outlet", "lease__stall__kind")
    search_fields = LEASE_SEARCH


@admin.register(Termination)
class TerminationAdmin(LeaseColumns, OperationsAdmin):
    list_display = (
        "id", "lease", "stall_code", "outlet", "vendor_business_name", "ground",
        "terminated_on", "terminated_by",
    )  # fmt: skip
    list_select_related = (*LEASE_JOINS, "terminated_by")
    list_filter = ("ground", "lease__stall__outlet", "lease__stall__kind")
    search_fields = LEASE_SEARCH


@admin.register(Inspection)
class InspectionAdmin(StallColumns, VendorColumns, OperationsAdmin):
    list_display = (
        "id", "stall_code", "outlet", "lease", "vendor_business_name", "visited_on", "finding",
        "inspector",
    )  # fmt: skip
    list_select_related = ("stall__outlet", "lease__vendor", "inspector")
    list_filter = ("finding", "stall__outlet", "stall__kind")
    search_fields = ("stall__code", "stall__outlet__name", "lease__vendor__business_name")
    vendor_path = "lease.vendor"


@admin.register(RenewalRequest)
class RenewalRequestAdmin(LeaseColumns, OperationsAdmin):
    list_display = (
        "id", "lease", "stall_code", "outlet", "vendor_business_name", "months", "status",
        "created_at", "decided_at", "new_lease",
    )  # fmt: skip
    list_select_related = (*LEASE_JOINS, "new_lease")
    list_filter = ("status", "lease__stall__outlet", "lease__stall__kind")
    search_fields = LEASE_SEARCH


class WaitlistOfferStateFilter(StateFilter):
    states = WaitlistOfferStatus


@admin.register(WaitlistOffer)
class WaitlistOfferAdmin(StallColumns, VendorColumns, OperationsAdmin):
    status_choices = WaitlistOfferStatus
    vendor_path = "application.vendor"
    list_display = (
        "id", "stall_code", "outlet", "vendor_business_name", "vendor_full_name",
        "vendor_nik_masked", "choice_rank", "state_display", "expires_at", "lease",
    )  # fmt: skip
    list_select_related = ("stall__outlet", "application__vendor", "lease")
    list_filter = (WaitlistOfferStateFilter, "stall__outlet", "stall__kind")
    search_fields = ("stall__code", "stall__outlet__name", "application__vendor__business_name")

    def get_queryset(self, request):
        return super().get_queryset(request).with_state()


@admin.register(Tariff)
class TariffAdmin(OperationsAdmin):
    list_display = (
        "id", "outlet", "stall_kind", "base_rate", "location_factor", "programme_factor",
        "rate", "regulation", "valid_from",
    )  # fmt: skip
    list_select_related = ("outlet",)
    list_filter = ("outlet", "stall_kind")
    search_fields = ("outlet__name", "regulation")

    @admin.display(description=_("base rate per m² per month (IDR)"), ordering="base_rate_per_m2")
    def base_rate(self, obj) -> str:
        return rupiah(obj.base_rate_per_m2)

    @admin.display(description=_("rate per m² per month (IDR)"))
    def rate(self, obj) -> str:
        return rupiah(obj.rate_per_m2)


@admin.register(OutletTerms)
class OutletTermsAdmin(OperationsAdmin):
    list_display = ("id", "outlet", "regime", "commercial_rate", "due_days", "updated_at")
    list_select_related = ("outlet",)
    list_filter = ("regime", "outlet")
    search_fields = ("outlet__name",)

    @admin.display(
        description=_("commercial reference rate per m² per month (IDR)"),
        ordering="commercial_rate_per_m2",
    )
    def commercial_rate(self, obj) -> str:
        return rupiah(obj.commercial_rate_per_m2)


@admin.register(LeasePricing)
class LeasePricingAdmin(LeaseColumns, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = (
        "id", "lease", "stall_code", "outlet", "vendor_business_name", "regime",
        "monthly_rupiah", "months", "formula",
    )  # fmt: skip
    list_select_related = LEASE_JOINS
    list_filter = ("regime", "lease__stall__outlet", "lease__stall__kind")
    search_fields = LEASE_SEARCH

    @admin.display(description=_("monthly rent (IDR)"), ordering="monthly_amount")
    def monthly_rupiah(self, obj) -> str:
        return rupiah(obj.monthly_amount)
