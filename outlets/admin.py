"""Admin pages for outlets and allocation. The vendor page never shows the NIK's ciphertext or
hash, only its masked form; stall status, offers and leases are read-only here (the services own
those transitions)."""

from django.contrib import admin

from core.admin import HistoryAdmin
from outlets.models import (
    AllocationRound,
    AllocationRun,
    ClaimVerification,
    DuplicateNikAttempt,
    Lease,
    Offer,
    Outlet,
    Stall,
    Vendor,
)


@admin.register(Outlet)
class OutletAdmin(HistoryAdmin):
    list_display = ("id", "name", "asset", "manager", "created_at")
    search_fields = ("name", "asset__register_code")
    raw_id_fields = ("asset", "manager")
    filter_horizontal = ("managers",)


@admin.register(Stall)
class StallAdmin(HistoryAdmin):
    list_display = ("id", "outlet", "code", "kind", "status", "monthly_fee")
    list_filter = ("kind", "status")
    readonly_fields = ("status",)


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


@admin.register(Vendor)
class VendorAdmin(HistoryAdmin):
    list_display = ("id", "full_name", "nik_masked", "business_name", "product_category")
    search_fields = ("full_name", "business_name", "user__username")
    exclude = ("nik_encrypted", "nik_hash")
    readonly_fields = ("nik_masked", "gender", "birth_date")
    history_list_display = ("nik_masked",)
    inlines = [ClaimVerificationInline, DuplicateNikAttemptInline]


@admin.register(AllocationRound)
class AllocationRoundAdmin(HistoryAdmin):
    list_display = ("id", "name", "status", "opens_at", "closes_at")
    list_filter = ("status",)
    exclude = ("seed",)
    readonly_fields = ("status", "seed_commitment")


@admin.register(AllocationRun)
class AllocationRunAdmin(admin.ModelAdmin):
    list_display = ("id", "round", "engine_version", "input_sha256", "created_at")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Offer)
class OfferAdmin(HistoryAdmin):
    list_display = ("id", "application", "stall", "status", "expires_at")
    list_filter = ("status",)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Lease)
class LeaseAdmin(HistoryAdmin):
    list_display = ("id", "stall", "vendor", "status", "start_date", "end_date")
    list_filter = ("status",)

    def has_change_permission(self, request, obj=None):
        return False
