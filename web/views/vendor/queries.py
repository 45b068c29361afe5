"""The reads the vendor pages share, each scoped to the signed-in vendor where it is hers: an
application, offer or lease of another vendor is not found (404), exactly like a missing one."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Max, Min, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from outlets.choices import RoundStatus, StallStatus
from outlets.models import AllocationRound, Application, Lease, Offer, Outlet, Stall, Vendor
from outlets.selectors import round_groups


def open_rounds() -> list[AllocationRound]:
    return list(
        AllocationRound.objects.filter(status=RoundStatus.OPEN)
        .prefetch_related("outlets")
        .order_by("closes_at", "id")
    )


def outlets_described(outlet_ids: list[int]) -> list[dict]:
    """Each outlet with its address, kecamatan and kelurahan names, point, and per stall kind:
    the number of stalls, of vacant ones, the area range and the fee range."""
    outlets = (
        Outlet.objects.filter(pk__in=outlet_ids)
        .select_related("asset", "asset__kecamatan", "asset__kelurahan")
        .defer("asset__kecamatan__geometry", "asset__kelurahan__geometry")
        .order_by("name", "id")
    )
    kinds = defaultdict(list)
    rows = (
        Stall.objects.with_state()
        .filter(outlet_id__in=outlet_ids)
        .values("outlet_id", "kind")
        .annotate(
            stalls=Count("pk"),
            vacant=Count("pk", filter=Q(state=StallStatus.VACANT)),
            area_min=Min("area_m2"),
            area_max=Max("area_m2"),
            fee_min=Min("monthly_fee"),
            fee_max=Max("monthly_fee"),
        )
        .order_by("outlet_id", "kind")
    )
    for row in rows:
        kinds[row["outlet_id"]].append(row)
    return [
        {
            "outlet": outlet,
            "address": outlet.asset.address,
            "kecamatan": outlet.asset.kecamatan.name if outlet.asset.kecamatan else "",
            "kelurahan": outlet.asset.kelurahan.name if outlet.asset.kelurahan else "",
            "lon": outlet.asset.lon,
            "lat": outlet.asset.lat,
            "kinds": kinds.get(outlet.pk, []),
            "vacant": sum(k["vacant"] for k in kinds.get(outlet.pk, [])),
        }
        for outlet in outlets
    ]


def round_open_or_404(round_id: int) -> AllocationRound:
    return get_object_or_404(
        AllocationRound.objects.prefetch_related("outlets"), pk=round_id, status=RoundStatus.OPEN
    )


def groups_of(round_: AllocationRound) -> list[dict]:
    return round_groups(round_)


def my_applications(vendor: Vendor):
    return (
        Application.objects.filter(vendor=vendor)
        .select_related("round", "round__run", "offer", "offer__stall", "offer__stall__outlet")
        .prefetch_related("choices__outlet__asset__kecamatan")
        .order_by("-id")
    )


def my_live_application(vendor: Vendor, round_: AllocationRound) -> Application | None:
    return (
        Application.objects.live()
        .filter(vendor=vendor, round=round_)
        .prefetch_related("choices")
        .first()
    )


def my_application(vendor: Vendor, application_id: int) -> Application:
    application = my_applications(vendor).filter(pk=application_id).first()
    if application is None:
        raise Http404
    return application


def my_offers(vendor: Vendor):
    return (
        Offer.objects.filter(application__vendor=vendor)
        .select_related("stall", "stall__outlet", "stall__outlet__asset", "application__round")
        .order_by("-id")
    )


def my_offer(vendor: Vendor, offer_id: int) -> Offer:
    offer = my_offers(vendor).filter(pk=offer_id).first()
    if offer is None:
        raise Http404
    return offer


def my_leases(vendor: Vendor):
    return (
        Lease.objects.with_state()
        .filter(vendor=vendor)
        .select_related("stall", "stall__outlet", "stall__outlet__asset")
        .order_by("-id")
    )


def my_lease(vendor: Vendor, lease_id: int) -> Lease:
    lease = my_leases(vendor).filter(pk=lease_id).first()
    if lease is None:
        raise Http404
    return lease
