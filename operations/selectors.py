"""Reads of the operations app, and which rows each caller may reach: managers and planners
read every outlet's, a vendor only her own leases' bills, payments, warnings, renewal requests
and waitlist offers (another vendor's is then a 404, as a missing one)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from core.roles import OUTLET_MANAGER, PLANNER, has_role
from operations.models import (
    Bill,
    Inspection,
    Payment,
    RenewalRequest,
    Tariff,
    Termination,
    WaitlistOffer,
    WarningLetter,
)
from outlets.models import Vendor

STAFF_READERS = (OUTLET_MANAGER, PLANNER)


def _own(queryset: QuerySet, user: AbstractBaseUser, path: str) -> QuerySet:
    if has_role(user, *STAFF_READERS):
        return queryset
    return queryset.filter(**{path: user.pk})


def vendor_bills(vendor: Vendor) -> QuerySet[Bill]:
    """A vendor's bills, every lease of hers, oldest period first (the vendor portal's list)."""
    return (
        Bill.objects.filter(lease__vendor=vendor)
        .select_related("lease__stall")
        .order_by("lease_id", "period_start")
    )


def vendor_payments(vendor: Vendor) -> QuerySet[Payment]:
    """A vendor's payments, newest first, with their reversal if any."""
    return (
        Payment.objects.filter(lease__vendor=vendor)
        .select_related("lease__stall", "reversal")
        .order_by("-paid_on", "-id")
    )


def bill_list(*, user: AbstractBaseUser) -> QuerySet[Bill]:
    bills = Bill.objects.select_related("lease__stall").order_by("lease_id", "period_start")
    return _own(bills, user, "lease__vendor__user_id")


def payment_list(*, user: AbstractBaseUser) -> QuerySet[Payment]:
    payments = Payment.objects.select_related("lease__stall", "lease__vendor", "reversal")
    return _own(payments.order_by("-paid_on", "-id"), user, "lease__vendor__user_id")


def warning_list(*, user: AbstractBaseUser) -> QuerySet[WarningLetter]:
    warnings = WarningLetter.objects.select_related("lease__stall").order_by("lease_id", "level")
    return _own(warnings, user, "lease__vendor__user_id")


def termination_list(*, user: AbstractBaseUser) -> QuerySet[Termination]:
    return _own(
        Termination.objects.select_related("lease__stall").order_by("-id"),
        user,
        "lease__vendor__user_id",
    )


def renewal_list(*, user: AbstractBaseUser) -> QuerySet[RenewalRequest]:
    return _own(
        RenewalRequest.objects.select_related("lease__stall").order_by("-id"),
        user,
        "lease__vendor__user_id",
    )


def waitlist_offer_list(*, user: AbstractBaseUser) -> QuerySet[WaitlistOffer]:
    """Expired once past its time, whether or not `run_daily` has written it (`state`)."""
    return _own(
        WaitlistOffer.objects.with_state().select_related("stall", "application").order_by("-id"),
        user,
        "application__vendor__user_id",
    )


def inspection_list() -> QuerySet[Inspection]:
    return Inspection.objects.select_related("stall").prefetch_related("photos")


def tariff_list() -> QuerySet[Tariff]:
    return Tariff.objects.all()
