"""The waitlist: a stall falling vacant while its round's waitlist is open goes to the first
waitlisted applicant of its group, and whatever she held is released and offered on in turn.

`waitlist_refill` does it for the rounds whose outlets hold the given stalls (or every round
with an open waitlist): it reads the round's market as it stands (who holds which group, which
stalls are vacant), runs the allocation engine on it (`operations.waitlist_rules`), and writes the
moves: a `WaitlistOffer` of a stall in the new group to each mover, her old offer or lease
released. The result is what deferred acceptance gives with the new capacities, so it stays
stable and strategy-proof, and nobody holds two offers or leases.

`next_candidate(stall)` is the one place that says who a vacant stall goes to next. Claims that
come before the waitlist (say, an upheld appeal) are callables in `VACANCY_CLAIMANTS`, each
taking `(stall, today)` and returning an `Application` or None; the first that answers takes the
stall, before the waitlist is asked.

A waitlist offer past its time reads expired everywhere before anything writes it
(`WaitlistOffer.objects.with_state`, `stall_state`); `waitlist_expire_due` writes that down, from
`run_daily` and, for the round's own stalls, before each refill (a stall holds one open offer).
Accepting or declining checks the time under the offer's row lock.

After the round's `waitlist_closes_on`, vacancies wait for a follow-up round.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict
from geodata.models import District, DistrictLevel
from operations import waitlist_rules
from operations.models import WaitlistOffer, WaitlistOfferStatus
from operations.services._common import today_or
from outlets import allocation
from outlets.managers import IN_FORCE
from outlets.models import (
    AllocationRound,
    Application,
    ApplicationStatus,
    Lease,
    LeaseStatus,
    Offer,
    OfferStatus,
    RoundStatus,
    Stall,
    StallStatus,
)
from outlets.services import (
    VENDOR_HAS_LEASE,
    lease_create_priced,
    lease_terminate,
    leases_write_down,
    natural_key,
)

logger = logging.getLogger(__name__)

RELEASED_REASON = _("Released: the vendor moved up the waitlist to stall {stall}.")
WAITLIST_OFFER_NOT_OPEN = _("This waitlist offer is no longer open.")
WAITLIST_OFFER_EXPIRED = _("This waitlist offer has expired.")

VacancyClaimant = Callable[[Stall, date], Application | None]
VACANCY_CLAIMANTS: list[VacancyClaimant] = []
"""Tried in order before the waitlist for each vacant stall; append yours (H19: appeals)."""


def waitlist_is_open(round_: AllocationRound, today: date) -> bool:
    return (
        round_.status == RoundStatus.ALLOCATED
        and round_.waitlist_closes_on is not None
        and today < round_.waitlist_closes_on
    )


@dataclass
class Holding:
    group: tuple[int, str]
    stall_id: int
    offer: Offer | None = None
    waitlist_offer: WaitlistOffer | None = None
    lease: Lease | None = None


@dataclass
class Market:
    round_: AllocationRound
    groups: list[allocation.Group]
    applicants: list[allocation.Applicant]
    params: allocation.Params
    holding: dict[int, Holding] = field(default_factory=dict)
    vacant: dict[tuple[int, str], list[Stall]] = field(default_factory=dict)


def _lease_in_force(lease: Lease | None, today: date) -> bool:
    return lease is not None and lease.status in IN_FORCE and lease.end_date > today


def _latest_position(app: Application, offer, waitlist_offers, now, today):
    """What the application holds now (a Holding), "out", or None (nothing, still waiting)."""
    latest = waitlist_offers[-1] if waitlist_offers else None
    if latest is not None:
        if latest.status == WaitlistOfferStatus.OPEN:
            if latest.is_due(now):
                return "out"
            return Holding((latest.stall.outlet_id, latest.stall.kind), latest.stall_id,
                           waitlist_offer=latest)  # fmt: skip
        if latest.status == WaitlistOfferStatus.ACCEPTED:
            if _lease_in_force(latest.lease, today):
                return Holding((latest.stall.outlet_id, latest.stall.kind), latest.stall_id,
                               waitlist_offer=latest, lease=latest.lease)  # fmt: skip
            return "out"
        if latest.status in (WaitlistOfferStatus.DECLINED, WaitlistOfferStatus.EXPIRED):
            return "out"
        # RELEASED cannot be the latest: the offer that released it is newer.
    if offer is None:
        return None
    group = (offer.stall.outlet_id, offer.stall.kind)
    if offer.status == OfferStatus.OPEN:
        return "out" if offer.expires_at <= now else Holding(group, offer.stall_id, offer=offer)
    if offer.status == OfferStatus.ACCEPTED:
        lease = getattr(offer, "lease", None)
        if _lease_in_force(lease, today):
            return Holding(group, offer.stall_id, offer=offer, lease=lease)
    return "out"


def round_market(round_: AllocationRound, *, today: date, now=None) -> Market:
    """The round as it stands: groups with capacity = held + vacant stalls, applicants still in."""
    now = now or timezone.now()
    outlets = {o.pk: o for o in round_.outlets.select_related("asset").defer("asset__geometry")}
    apps = list(
        Application.objects.filter(
            round=round_, status__in=[ApplicationStatus.ASSIGNED, ApplicationStatus.UNASSIGNED]
        )
        .select_related("vendor")
        .prefetch_related("choices")
        .order_by("pk")
    )
    offers = {
        o.application_id: o
        for o in Offer.objects.filter(application__round=round_).select_related("stall", "lease")
    }
    waitlist: dict[int, list[WaitlistOffer]] = defaultdict(list)
    for w in (
        WaitlistOffer.objects.filter(application__round=round_)
        .select_related("stall", "lease")
        .order_by("pk")
    ):
        waitlist[w.application_id].append(w)
    kecamatan_of = dict(
        District.objects.filter(level=DistrictLevel.KELURAHAN).values_list("code", "parent_id")
    )
    market = Market(round_, [], [], allocation.Params(
        seed=round_.seed, women_reserve_share=float(round_.women_reserve_share),
        category_cap=round_.category_cap,
    ))  # fmt: skip
    held_stalls: set[int] = set()
    for app in apps:
        position = _latest_position(app, offers.get(app.pk), waitlist.get(app.pk), now, today)
        if position == "out":
            continue
        claims = app.claims or {}
        counted = {k: bool(v.get("verified")) for k, v in claims.items() if isinstance(v, dict)}
        market.applicants.append(
            allocation.Applicant(
                application_id=app.pk,
                choices=tuple((c.outlet_id, c.stall_kind) for c in app.choices.all()),
                wub_participant=counted.get("wub_participant", False),
                women_programme=counted.get("women_programme", False),
                kecamatan_code=(
                    kecamatan_of.get(app.vendor.home_kelurahan_id)
                    if counted.get("domicile")
                    else None
                ),
                product_category=app.vendor.product_category,
            )
        )
        if isinstance(position, Holding):
            market.holding[app.pk] = position
            held_stalls.add(position.stall_id)
    stalls = Stall.objects.with_state(now).filter(outlet_id__in=list(outlets)).order_by("pk")
    open_waitlist = set(
        WaitlistOffer.objects.filter(
            status=WaitlistOfferStatus.OPEN, expires_at__gt=now
        ).values_list("stall_id", flat=True)
    )
    kinds: set[tuple[int, str]] = set()
    held_count: dict[tuple[int, str], int] = defaultdict(int)
    for stall in stalls:
        key = (stall.outlet_id, stall.kind)
        kinds.add(key)
        if stall.pk in held_stalls:
            held_count[key] += 1
        elif stall.effective_status == StallStatus.VACANT and stall.pk not in open_waitlist:
            market.vacant.setdefault(key, []).append(stall)
    for group_stalls in market.vacant.values():
        group_stalls.sort(key=lambda s: natural_key(s.code))
    market.groups = [
        allocation.Group(
            key=key,
            capacity=held_count[key] + len(market.vacant.get(key, ())),
            kecamatan_code=outlets[key[0]].asset.kecamatan_id or "",
        )
        for key in sorted(kinds)
    ]
    return market


def _plan(market: Market) -> list[waitlist_rules.Move]:
    holding = {app_id: h.group for app_id, h in market.holding.items()}
    after = waitlist_rules.outcome(market.groups, market.applicants, market.params)
    return waitlist_rules.moves(holding, after, market.applicants)


def next_candidate(stall: Stall, *, today: date | None = None) -> Application | None:
    """Who this vacant stall would go to now: a claimant of `VACANCY_CLAIMANTS` first, then
    the waitlist (whose first applicant for its group may take it); None if nobody."""
    today = today_or(today)
    for claimant in VACANCY_CLAIMANTS:
        found = claimant(stall, today)
        if found is not None:
            return found
    for round_ in _open_rounds(today, stall_ids=[stall.pk]):
        market = round_market(round_, today=today)
        group = (stall.outlet_id, stall.kind)
        vacant = market.vacant.get(group, [])
        if stall not in vacant:
            continue
        entrants = [m for m in _plan(market) if m.to_group == group]
        position = vacant.index(stall)
        if position < len(entrants):
            return Application.objects.get(pk=entrants[position].application_id)
    return None


def _open_rounds(today: date, stall_ids: list[int] | None = None) -> list[AllocationRound]:
    rounds = AllocationRound.objects.filter(
        status=RoundStatus.ALLOCATED, waitlist_closes_on__gt=today
    )
    if stall_ids is not None:
        outlet_ids = Stall.objects.filter(pk__in=stall_ids).values_list("outlet_id", flat=True)
        rounds = rounds.filter(outlets__in=list(outlet_ids))
    return list(rounds.distinct().order_by("pk"))


def _release(holding: Holding, *, user, stall_code: str, now) -> dict:
    """Give up what a mover held: her lease (ended, the reason says why), or her open offer or
    waitlist offer (the stall vacant again). Locks: the lease, then its stall."""
    if holding.lease is not None:
        lease_terminate(
            lease=holding.lease,
            user=user,
            reason=str(RELEASED_REASON).format(stall=stall_code),
            require_managed=False,
        )
        return {"released_lease": holding.lease}
    stall = Stall.objects.select_for_update().get(pk=holding.stall_id)
    released: dict = {}
    if holding.waitlist_offer is not None:
        w = holding.waitlist_offer
        w.status, w.decided_at, w._history_user = WaitlistOfferStatus.RELEASED, now, user
        w.save(update_fields=["status", "decided_at"])
    elif holding.offer is not None:
        offer = holding.offer
        offer.status, offer.decided_at, offer._history_user = OfferStatus.DECLINED, now, user
        offer.save(update_fields=["status", "decided_at"])
        released["released_offer"] = offer
    stall.status = StallStatus.VACANT
    stall._history_user = user
    stall.save(update_fields=["status", "updated_at"])
    return released


def _moment(today: date):
    """Now, moved to `today` when the day run is not the real one (catch-up or a test)."""
    now = timezone.localtime(timezone.now(), timezone.get_default_timezone())
    if now.date() == today:
        return now
    return now.replace(year=today.year, month=today.month, day=today.day)


def _refill_round(round_: AllocationRound, *, today: date, user) -> list[WaitlistOffer]:
    now = _moment(today)
    made: list[WaitlistOffer] = []
    with transaction.atomic():
        round_ = AllocationRound.objects.select_for_update().get(pk=round_.pk)
        if not waitlist_is_open(round_, today):
            return made
        # Readers already see these expired; a stall and an applicant hold one open offer each.
        waitlist_expire_due(
            now=now, user=user, outlet_ids=list(round_.outlets.values_list("pk", flat=True))
        )
        # Claims that come before the waitlist (VACANCY_CLAIMANTS) take their stalls first.
        market = round_market(round_, today=today, now=now)
        for group_stalls in market.vacant.values():
            for stall in list(group_stalls):
                for claimant in VACANCY_CLAIMANTS:
                    app = claimant(stall, today)
                    if app is not None:
                        made.append(_offer(app, stall, rank=1, round_=round_, now=now, user=user))
                        break
        if made:
            market = round_market(round_, today=today, now=now)
        plan = _plan(market)
        if not plan:
            return made
        movers = {m.application_id: m for m in plan}
        free = {key: list(stalls) for key, stalls in market.vacant.items()}
        released: dict[int, dict] = {}
        # Everyone who leaves a group frees her stall for the entrants of that group.
        for move in plan:
            holding = market.holding.get(move.application_id)
            if holding is None:
                continue
            released[move.application_id] = {"holding": holding}
        target_code: dict[int, Stall] = {}
        stalls_by_id = {}
        for holding in (r["holding"] for r in released.values()):
            stalls_by_id[holding.stall_id] = Stall.objects.get(pk=holding.stall_id)
        for holding in (r["holding"] for r in released.values()):
            free.setdefault(holding.group, []).append(stalls_by_id[holding.stall_id])
        for key in free:
            free[key].sort(key=lambda s: natural_key(s.code))
        # Entrants by priority: the engine's order within each group.
        result = allocation.allocate(market.groups, market.applicants, market.params)
        for key, group in sorted(result.groups.items()):
            for app_id in group.assigned:
                if app_id in movers and movers[app_id].to_group == key:
                    target_code[app_id] = free[key].pop(0)
        # Every release first, then the offers: a stall one mover leaves may be another's.
        extras = {
            app_id: _release(
                released[app_id]["holding"], user=user, stall_code=target_code[app_id].code,
                now=now,
            )
            for app_id in sorted(movers)
            if app_id in released
        }  # fmt: skip
        for app_id in sorted(movers):
            stall = target_code[app_id]
            extra = extras.get(app_id, {})
            app = Application.objects.get(pk=app_id)
            made.append(_offer(app, stall, rank=movers[app_id].rank, round_=round_, now=now,
                               user=user, **extra))  # fmt: skip
    for offer in made:
        extra = {"event": "waitlist_offer", "offer_id": offer.pk, "stall_id": offer.stall_id}
        transaction.on_commit(lambda extra=extra: logger.info("waitlist offer", extra=extra))
    return made


def _offer(app, stall, *, rank, round_, now, user, **released) -> WaitlistOffer:
    stall = Stall.objects.select_for_update().get(pk=stall.pk)
    stall.status = StallStatus.OFFERED
    stall._history_user = user
    stall.save(update_fields=["status", "updated_at"])
    offer = WaitlistOffer(
        application=app,
        stall=stall,
        choice_rank=rank,
        expires_at=now + timedelta(days=round_.acceptance_days),
        **released,
    )
    offer._history_user = user
    offer.save()
    return offer


def waitlist_refill(
    *, today: date | None = None, stall_ids: list[int] | None = None, user=None
) -> list[WaitlistOffer]:
    """Offer the vacant stalls of every round whose waitlist is open (those holding
    `stall_ids`, if given) to its waitlisted applicants; returns the offers made."""
    today = today_or(today)
    made = []
    for round_ in _open_rounds(today, stall_ids):
        made.extend(_refill_round(round_, today=today, user=user))
    return made


def waitlist_expire_due(*, now=None, user=None, outlet_ids: list[int] | None = None) -> int:
    """Write down open waitlist offers past their time (of these outlets' stalls, if given):
    what readers already see; their stalls become vacant."""
    now = now or timezone.now()
    due = WaitlistOffer.objects.due(now)
    if outlet_ids is not None:
        due = due.filter(stall__outlet_id__in=outlet_ids)
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        for offer in WaitlistOffer.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
            if offer.status != WaitlistOfferStatus.OPEN:
                continue
            _lapse(offer, user)
    return len(ids)


def _lapse(offer: WaitlistOffer, user) -> None:
    offer.status, offer.decided_at, offer._history_user = (
        WaitlistOfferStatus.EXPIRED, offer.expires_at, user,
    )  # fmt: skip
    offer.save(update_fields=["status", "decided_at"])
    stall = Stall.objects.select_for_update().get(pk=offer.stall_id)
    if stall.status == StallStatus.OFFERED:
        stall.status = StallStatus.VACANT
        stall._history_user = user
        stall.save(update_fields=["status", "updated_at"])


def _decide(offer: WaitlistOffer, user: AbstractBaseUser, accept: bool) -> WaitlistOffer:
    now = timezone.now()
    if accept:
        # A lease of hers that ran out is written down first (leases, then stalls).
        vendor = Application.objects.select_related("vendor").get(pk=offer.application_id).vendor
        leases_write_down(
            today=timezone.localdate(now, timezone.get_default_timezone()), vendor=vendor
        )
    with transaction.atomic():
        offer = WaitlistOffer.objects.select_for_update().get(pk=offer.pk)
        done = WaitlistOfferStatus.ACCEPTED if accept else WaitlistOfferStatus.DECLINED
        if offer.status == done:
            return offer
        # Checked under the row lock: an offer past its time is expired, written before the 409.
        if offer.is_due(now):
            _lapse(offer, user)
            lapsed = True
        elif offer.status != WaitlistOfferStatus.OPEN:
            raise Conflict(str(WAITLIST_OFFER_NOT_OPEN))
        else:
            lapsed = False
            stall = Stall.objects.select_for_update().get(pk=offer.stall_id)
            app = Application.objects.select_related("round", "vendor").get(pk=offer.application_id)
            if accept:
                today = timezone.localdate(now, timezone.get_default_timezone())
                if Lease.objects.filter(vendor=app.vendor, status=LeaseStatus.ACTIVE).exists():
                    raise Conflict(str(VENDOR_HAS_LEASE))
                offer.lease = lease_create_priced(
                    stall=stall, vendor=app.vendor, start=today, months=app.round.lease_months,
                    user=user,
                )  # fmt: skip
                stall.status = StallStatus.LEASED
            else:
                stall.status = StallStatus.VACANT
            offer.status, offer.decided_at, offer._history_user = done, now, user
            offer.save(update_fields=["status", "decided_at", "lease"])
            stall._history_user = user
            stall.save(update_fields=["status", "updated_at"])
    if lapsed:
        raise Conflict(str(WAITLIST_OFFER_EXPIRED))
    if not accept:
        waitlist_refill(stall_ids=[offer.stall_id], user=user)
    return offer


def waitlist_offer_accept(*, offer: WaitlistOffer, user: AbstractBaseUser) -> WaitlistOffer:
    return _decide(offer, user, accept=True)


def waitlist_offer_decline(*, offer: WaitlistOffer, user: AbstractBaseUser) -> WaitlistOffer:
    return _decide(offer, user, accept=False)
