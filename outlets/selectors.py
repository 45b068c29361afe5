"""Reads for outlets, rounds, applications, offers and leases, each scoped to who is asking.

A vendor only ever gets querysets of her own applications, offers and leases (anything else is a
404 to her) and only the rounds that are open. Reading a vendor's offers first expires those past
their time, so an offer is never shown open after its deadline.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from core.roles import OUTLET_MANAGER, PLANNER, VENDOR, has_role
from outlets.models import (
    AllocationRound,
    Application,
    ApplicationChoice,
    Lease,
    Offer,
    Outlet,
    RoundStatus,
    Stall,
    StallStatus,
)
from outlets.services import offers_expire_due, vendor_for_user


def _stall_count(status: str | None = None) -> Coalesce:
    stalls = Stall.objects.filter(outlet=OuterRef("pk"))
    if status is not None:
        stalls = stalls.filter(status=status)
    counted = stalls.order_by().values("outlet").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def outlet_list() -> QuerySet[Outlet]:
    """Outlets with their asset and stall counts (subqueries, so map filters can still join)."""
    return (
        Outlet.objects.select_related("asset")
        .annotate(
            stalls_total=_stall_count(),
            stalls_vacant=_stall_count(StallStatus.VACANT),
            stalls_offered=_stall_count(StallStatus.OFFERED),
            stalls_leased=_stall_count(StallStatus.LEASED),
        )
        .order_by("id")
    )


def outlets_with_vacancy(queryset: QuerySet[Outlet], value: bool) -> QuerySet[Outlet]:
    vacant = Exists(Stall.objects.filter(outlet=OuterRef("pk"), status=StallStatus.VACANT))
    return queryset.filter(vacant) if value else queryset.exclude(vacant)


def stall_list(*, outlet: Outlet) -> QuerySet[Stall]:
    return Stall.objects.filter(outlet=outlet).order_by("code", "pk")


def round_list(*, user: AbstractBaseUser) -> QuerySet[AllocationRound]:
    """Managers and planners see every round; a vendor only the open ones."""
    rounds = AllocationRound.objects.prefetch_related("outlets").annotate(
        applications_count=Count(
            "applications", filter=~Q(applications__status="withdrawn"), distinct=True
        )
    )
    if has_role(user, VENDOR) and not has_role(user, OUTLET_MANAGER, PLANNER):
        rounds = rounds.filter(status=RoundStatus.OPEN)
    return rounds.order_by("-id")


def round_groups(round_: AllocationRound) -> list[dict]:
    """The groups a vendor can choose in a round: (outlet, kind) with its vacant stalls now."""
    rows = (
        Stall.objects.filter(outlet__in=round_.outlets.all())
        .values("outlet_id", "outlet__name", "outlet__asset__kecamatan_id", "kind")
        .annotate(
            stalls=Count("pk"),
            vacant=Count("pk", filter=Q(status=StallStatus.VACANT)),
        )
        .order_by("outlet_id", "kind")
    )
    return [
        {
            "outlet": row["outlet_id"],
            "outlet_name": row["outlet__name"],
            "kecamatan_code": row["outlet__asset__kecamatan_id"],
            "stall_kind": row["kind"],
            "stalls": row["stalls"],
            "capacity": row["vacant"],
        }
        for row in rows
    ]


def _applications() -> QuerySet[Application]:
    return (
        Application.objects.select_related("round", "round__run", "offer", "offer__stall")
        .prefetch_related(
            Prefetch(
                "choices",
                queryset=ApplicationChoice.objects.select_related("outlet").order_by("rank"),
            )
        )
        .order_by("-id")
    )


def application_list_mine(*, user: AbstractBaseUser) -> QuerySet[Application]:
    vendor = vendor_for_user(user)
    offers_expire_due(vendor=vendor, user=user)
    return _applications().filter(vendor=vendor)


def application_list_for_round(*, round_: AllocationRound) -> QuerySet[Application]:
    return _applications().filter(round=round_).exclude(status="withdrawn").order_by("id")


def offer_list(*, user: AbstractBaseUser) -> QuerySet[Offer]:
    offers = Offer.objects.select_related("stall", "application", "application__round").order_by(
        "-id"
    )
    if has_role(user, OUTLET_MANAGER, PLANNER):
        offers_expire_due(user=user)
        return offers
    vendor = vendor_for_user(user)
    offers_expire_due(vendor=vendor, user=user)
    return offers.filter(application__vendor=vendor)


def lease_list(*, user: AbstractBaseUser) -> QuerySet[Lease]:
    leases = Lease.objects.select_related("stall", "stall__outlet", "vendor").order_by("-id")
    if has_role(user, OUTLET_MANAGER, PLANNER):
        return leases
    return leases.filter(vendor=vendor_for_user(user))
