"""Reads for outlets, rounds, applications, offers and leases, each scoped to who is asking.

A vendor only ever gets querysets of her own applications, offers and leases (anything else is a
404 to her) and only the rounds that are open. No read writes: an offer past its deadline reads
as expired (`Offer.effective_status`) and the stall it held as vacant (`Stall.objects.with_state`)
before `manage.py expire_offers` writes that down.
"""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)

from core.roles import OUTLET_MANAGER, PLANNER, VENDOR, has_role
from geodata.map_query import MapPage, MapQuery, map_page
from geodata.models import District, DistrictLevel
from outlets.managers import live_applications, stall_state
from outlets.models import (
    AllocationRound,
    Application,
    ApplicationChoice,
    ClaimVerification,
    Lease,
    LeaseStatus,
    Offer,
    Outlet,
    RoundStatus,
    Stall,
    StallStatus,
    Vendor,
)
from outlets.services import vendor_id_for_user

# Where an outlet's geometry is: on its asset (for map queries).
GEO_PREFIX = "asset__"
# What an outlet shows of its asset (the asset has some forty columns).
OUTLET_ASSET_FIELDS = ("register_code", "kecamatan", "kelurahan", "lon", "lat", "geometry")


def outlet_list() -> QuerySet[Outlet]:
    """Outlets with their asset and their managers' ids, by id. Their stall counts come per page
    (`outlets_counted`)."""
    managers = get_user_model().objects.only("pk")
    return (
        Outlet.objects.select_related("asset")
        .prefetch_related(Prefetch("managers", queryset=managers))
        .only(
            *(f.name for f in Outlet._meta.concrete_fields),
            *(f"asset__{name}" for name in OUTLET_ASSET_FIELDS),
        )
        .order_by("id")
    )


def outlets_counted(outlets: list[Outlet]) -> list[Outlet]:
    """Set `stalls_total`, `stalls_vacant`, `stalls_offered`, `stalls_leased` on each outlet.

    One grouped query for the whole page: counting in correlated subqueries instead made every
    list request build four of them, and the paging COUNT carry them, whatever the page held.
    """
    counts = {o.pk: dict.fromkeys(StallStatus.values, 0) for o in outlets}
    if counts:
        rows = (
            # As readers see them: a stall whose offer has lapsed counts as vacant.
            Stall.objects.filter(outlet_id__in=list(counts))
            .annotate(state=stall_state())
            .values_list("outlet_id", "state")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for outlet_id, status, n in rows:
            counts[outlet_id][status] = n
    for outlet in outlets:
        by_status = counts[outlet.pk]
        outlet.stalls_total = sum(by_status.values())
        outlet.stalls_vacant = by_status[StallStatus.VACANT]
        outlet.stalls_offered = by_status[StallStatus.OFFERED]
        outlet.stalls_leased = by_status[StallStatus.LEASED]
    return outlets


def outlets_by_ids(ids: list[int]) -> list[Outlet]:
    """The outlets with these ids, in the order given, stall counts set (unknown ids left out)."""
    found = outlet_list().in_bulk(ids) if ids else {}
    return outlets_counted([found[pk] for pk in ids if pk in found])


def outlet_map_page(
    queryset: QuerySet[Outlet], query: MapQuery, *, limit: int, offset: int
) -> MapPage:
    """One page of a map query over these outlets (their asset's geometry), with the number of
    matches: the page's outlets in order, stall counts set."""
    page = map_page(queryset, query, limit=limit, offset=offset, prefix=GEO_PREFIX)
    return replace(page, items=outlets_by_ids(page.items))


def outlets_with_vacancy(queryset: QuerySet[Outlet], value: bool) -> QuerySet[Outlet]:
    vacant = Exists(
        Stall.objects.with_state().filter(outlet=OuterRef("pk"), state=StallStatus.VACANT)
    )
    return queryset.filter(vacant) if value else queryset.exclude(vacant)


def stall_list(*, outlet: Outlet) -> QuerySet[Stall]:
    return Stall.objects.with_state().filter(outlet=outlet).order_by("code", "pk")


def vendor_list() -> QuerySet[Vendor]:
    """Vendors for outlet managers, with their live claim verifications and the count and time
    of duplicate-NIK registrations."""
    live = ClaimVerification.objects.filter(revoked_at=None).select_related("verified_by")
    return (
        Vendor.objects.select_related("user", "home_kelurahan")
        .defer("home_kelurahan__geometry")
        .prefetch_related(Prefetch("claim_verifications", live, to_attr="live_verifications"))
        .annotate(
            duplicate_nik_attempts_count=Count("duplicate_nik_attempts"),
            last_duplicate_nik_attempt_at=Max("duplicate_nik_attempts__at"),
        )
        .order_by("id")
    )


def round_list(*, user: AbstractBaseUser) -> QuerySet[AllocationRound]:
    """Managers and planners see every round; a vendor only the open ones."""
    rounds = AllocationRound.objects.prefetch_related("outlets").annotate(
        applications_count=Count(
            "applications", filter=live_applications("applications__"), distinct=True
        )
    )
    if has_role(user, VENDOR) and not has_role(user, OUTLET_MANAGER, PLANNER):
        rounds = rounds.filter(status=RoundStatus.OPEN)
    return rounds.order_by("-id")


def round_groups(round_: AllocationRound) -> list[dict]:
    """The groups a vendor can choose in a round: (outlet, kind) with its vacant stalls now."""
    rows = (
        Stall.objects.with_state()
        .filter(outlet__in=round_.outlets.all())
        .values("outlet_id", "outlet__name", "outlet__asset__kecamatan_id", "kind")
        .annotate(
            stalls=Count("pk"),
            vacant=Count("pk", filter=Q(state=StallStatus.VACANT)),
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
    # Each choice carries its outlet's name (`outlet_name`), not the whole outlet.
    choices = ApplicationChoice.objects.annotate(outlet_name=F("outlet__name")).order_by("rank")
    return (
        Application.objects.select_related("round", "round__run", "offer", "offer__stall")
        .prefetch_related(Prefetch("choices", queryset=choices))
        .order_by("-id")
    )


def application_list_mine(
    *, user: AbstractBaseUser, check_profile: bool = True
) -> QuerySet[Application]:
    """The user's applications (PermissionDenied without a vendor profile, unless
    `check_profile` is off: then she gets none, and a caller that finds none asks
    `services.vendor_id_for_user`, saving every other read the query for her profile)."""
    if not check_profile:
        return _applications().filter(vendor__user=user)
    return _applications().filter(vendor_id=vendor_id_for_user(user))


def application_list_for_round(*, round_: AllocationRound) -> QuerySet[Application]:
    return _applications().filter(live_applications(), round=round_).order_by("id")


def offer_list(*, user: AbstractBaseUser) -> QuerySet[Offer]:
    offers = Offer.objects.select_related("stall", "application", "application__round").order_by(
        "-id"
    )
    if has_role(user, OUTLET_MANAGER, PLANNER):
        return offers
    return offers.filter(application__vendor_id=vendor_id_for_user(user))


def lease_list(*, user: AbstractBaseUser, check_profile: bool = True) -> QuerySet[Lease]:
    """Every lease for managers and planners; a vendor's own for a vendor (PermissionDenied
    without a vendor profile, unless `check_profile` is off: then she gets none, and a caller
    that finds none asks `services.vendor_id_for_user`)."""
    leases = Lease.objects.with_state().select_related("stall", "vendor").order_by("-id")
    if has_role(user, OUTLET_MANAGER, PLANNER):
        return leases
    if not check_profile:
        return leases.filter(vendor__user=user)
    return leases.filter(vendor_id=vendor_id_for_user(user))


# --- programme progress (`stats/programme/`) -------------------------------------------------


def _percent(part: int, whole: int) -> float | None:
    """`part` as a percentage of `whole`, two decimals; None when there is no whole."""
    return round(100.0 * part / whole, 2) if whole else None


def programme_stats() -> dict:
    """Progress of the WUB and women-entrepreneur programmes, and outlets per kecamatan.

    Counting: a vendor is *registered* when she has a vendor profile and *placed* while she holds
    an active lease (a terminated lease no longer places her; the database allows one active lease
    per vendor). Each programme counts its own members, so a vendor in both programmes counts once
    in each (`wub` and `women`), once in the totals, and once in `both_programmes`; the two
    programme figures may therefore add up to more than the total. A vendor's kecamatan is that of
    her home kelurahan; vendors who gave none are counted under `vendors.without_home_kelurahan`.
    Outlets and stalls count by the kecamatan and kelurahan of the asset the outlet stands on.

    Five aggregate queries (vendors by home kecamatan, stalls by kecamatan and status, outlets by
    kecamatan, the kelurahan that have an outlet, the districts), merged in Python; the size of
    the answer is fixed by the 11 kecamatan and 63 kelurahan, whatever the number of vendors.
    """
    targets = {"wub": settings.PROGRAMME_TARGET_WUB, "women": settings.PROGRAMME_TARGET_WOMEN}

    placed = Exists(Lease.objects.filter(vendor=OuterRef("pk"), status=LeaseStatus.ACTIVE))
    # A member counts once her membership is verified (a cohort list or a manager's check),
    # not as she declared it (issue 20).
    live = ClaimVerification.objects.filter(vendor=OuterRef("pk"), revoked_at=None)
    wub = Q(wub_participant=True, wub_verified=True)
    women = Q(women_programme=True, women_verified=True)
    is_placed = Q(placed=True)
    vendor_rows = (
        Vendor.objects.annotate(
            placed=placed,
            wub_verified=Exists(live.filter(claim="wub_participant")),
            women_verified=Exists(live.filter(claim="women_programme")),
        )
        .values(kecamatan=F("home_kelurahan__parent_id"))
        .annotate(
            registered=Count("pk"),
            placed_total=Count("pk", filter=is_placed),
            wub_registered=Count("pk", filter=wub),
            wub_placed=Count("pk", filter=wub & is_placed),
            women_registered=Count("pk", filter=women),
            women_placed=Count("pk", filter=women & is_placed),
            both_registered=Count("pk", filter=wub & women),
            both_placed=Count("pk", filter=wub & women & is_placed),
            none_registered=Count("pk", filter=~wub & ~women),
            none_placed=Count("pk", filter=~wub & ~women & is_placed),
        )
        .order_by()
    )
    stall_rows = (
        Stall.objects.values(state=stall_state(), kecamatan=F("outlet__asset__kecamatan_id"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    outlet_rows = (
        Outlet.objects.values(kecamatan=F("asset__kecamatan_id")).annotate(n=Count("pk")).order_by()
    )
    kelurahan_with_outlet = set(
        Outlet.objects.exclude(asset__kelurahan_id=None)
        .values_list("asset__kelurahan_id", flat=True)
        .distinct()
    )
    districts = list(District.objects.order_by("code").values("code", "name", "level", "parent_id"))

    vendor_keys = (
        "registered", "placed_total", "wub_registered", "wub_placed", "women_registered",
        "women_placed", "both_registered", "both_placed", "none_registered", "none_placed",
    )  # fmt: skip
    vendors_by_kec: dict[str | None, dict[str, int]] = {}
    for row in vendor_rows:
        vendors_by_kec[row["kecamatan"]] = {key: row[key] for key in vendor_keys}
    vendor_totals = {key: sum(v[key] for v in vendors_by_kec.values()) for key in vendor_keys}
    no_home = vendors_by_kec.get(None, dict.fromkeys(vendor_keys, 0))

    stalls_by_kec: dict[str | None, dict[str, int]] = {}
    for row in stall_rows:
        counts = stalls_by_kec.setdefault(row["kecamatan"], dict.fromkeys(StallStatus.values, 0))
        counts[row["state"]] = row["n"]
    outlets_by_kec = {row["kecamatan"]: row["n"] for row in outlet_rows}

    def stall_figures(counts: dict[str, int]) -> dict:
        total = sum(counts.values())
        return {"total": total, **counts}

    all_stalls = {
        status: sum(c[status] for c in stalls_by_kec.values()) for status in StallStatus.values
    }

    kecamatan = [d for d in districts if d["level"] == DistrictLevel.KECAMATAN]
    kelurahan = [d for d in districts if d["level"] == DistrictLevel.KELURAHAN]
    kelurahan_count: dict[str, int] = {}
    for d in kelurahan:
        kelurahan_count[d["parent_id"]] = kelurahan_count.get(d["parent_id"], 0) + 1
    kelurahan_covered: dict[str, int] = {}
    for d in kelurahan:
        if d["code"] in kelurahan_with_outlet:
            kelurahan_covered[d["parent_id"]] = kelurahan_covered.get(d["parent_id"], 0) + 1

    def programme_figures(counts: dict[str, int]) -> dict:
        return {
            "registered": counts["registered"],
            "placed": counts["placed_total"],
            "wub_registered": counts["wub_registered"],
            "wub_placed": counts["wub_placed"],
            "women_registered": counts["women_registered"],
            "women_placed": counts["women_placed"],
            "both_programmes_registered": counts["both_registered"],
            "both_programmes_placed": counts["both_placed"],
        }

    rows = []
    for d in kecamatan:
        stalls = stall_figures(stalls_by_kec.get(d["code"], dict.fromkeys(StallStatus.values, 0)))
        rows.append(
            {
                "code": d["code"],
                "name": d["name"],
                "vendors": programme_figures(
                    vendors_by_kec.get(d["code"], dict.fromkeys(vendor_keys, 0))
                ),
                "outlets": outlets_by_kec.get(d["code"], 0),
                "stalls": stalls,
                "occupancy_percent": _percent(stalls["leased"], stalls["total"]),
                "kelurahan": kelurahan_count.get(d["code"], 0),
                "kelurahan_with_outlet": kelurahan_covered.get(d["code"], 0),
            }
        )

    def programme(key: str) -> dict:
        registered, placed_ = vendor_totals[f"{key}_registered"], vendor_totals[f"{key}_placed"]
        return {
            "programme": key,
            "target": targets[key],
            "registered": registered,
            "placed": placed_,
            "registered_percent": _percent(registered, targets[key]),
            "placed_percent": _percent(placed_, targets[key]),
        }

    total_stalls = stall_figures(all_stalls)
    return {
        "programmes": [programme("wub"), programme("women")],
        "vendors": {
            "registered": vendor_totals["registered"],
            "placed": vendor_totals["placed_total"],
            "both_programmes_registered": vendor_totals["both_registered"],
            "both_programmes_placed": vendor_totals["both_placed"],
            "no_programme_registered": vendor_totals["none_registered"],
            "no_programme_placed": vendor_totals["none_placed"],
            "without_home_kelurahan_registered": no_home["registered"],
            "without_home_kelurahan_placed": no_home["placed_total"],
        },
        "outlets": {
            "total": sum(outlets_by_kec.values()),
            "stalls": total_stalls,
            "occupancy_percent": _percent(total_stalls["leased"], total_stalls["total"]),
        },
        "kecamatan": rows,
        "without_outlet": {
            "kecamatan": [
                {"code": d["code"], "name": d["name"]}
                for d in kecamatan
                if not outlets_by_kec.get(d["code"])
            ],
            "kelurahan": [
                {"code": d["code"], "name": d["name"], "kecamatan_code": d["parent_id"]}
                for d in kelurahan
                if d["code"] not in kelurahan_with_outlet
            ],
        },
    }
