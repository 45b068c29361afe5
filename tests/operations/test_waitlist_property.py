"""The waitlist keeps the round at what deferred acceptance gives: random rounds (hypothesis),
random vacancies (declined offers, terminated leases, declined waitlist offers), and after each
refill the holders of every group are exactly those of a fresh engine run over the applicants
still in, with every group's capacity its number of stalls. Nobody ever holds two offers or
leases."""

from collections import Counter

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from operations.models import WaitlistOffer
from operations.services import enforcement, waitlist
from outlets import allocation
from outlets import services as outlet_services
from outlets.models import Lease, Offer, Stall
from outlets.nik import city_today
from tests.operations.helpers import allocated_round
from tests.outlets.helpers import make_outlet, make_vendor

pytestmark = pytest.mark.django_db
KINDS = ("kiosk", "booth")


def _holdings(round_) -> dict[int, tuple[int, str]]:
    """application id -> the group it holds now (open offer, or a lease in force), from rows."""
    today = city_today()
    held: dict[int, list] = {}
    for offer in Offer.objects.filter(application__round=round_).select_related("stall"):
        lease = Lease.objects.filter(offer=offer).first()
        if offer.status == "open" or (
            lease is not None and lease.status in ("active", "signed") and lease.end_date > today
        ):
            held.setdefault(offer.application_id, []).append(offer.stall)
    for w in WaitlistOffer.objects.filter(application__round=round_).select_related(
        "stall", "lease"
    ):
        if w.status == "open" or (w.lease is not None and w.lease.status == "active"):
            held.setdefault(w.application_id, []).append(w.stall)
    for app_id, stalls in held.items():
        assert len(stalls) == 1, f"application {app_id} holds {len(stalls)} stalls"
    return {app_id: (s[0].outlet_id, s[0].kind) for app_id, s in held.items()}


def _oracle(round_, groups, choices, out) -> dict[int, tuple[int, str]]:
    applicants = [
        allocation.Applicant(app_id, tuple(c), False, False, None, "culinary")
        for app_id, c in sorted(choices.items())
        if app_id not in out
    ]
    result = allocation.allocate(groups, applicants, allocation.Params(seed=round_.seed))
    return {a: g for a, g in result.assignment.items() if g is not None}


world = st.fixed_dictionaries(
    {
        "stalls": st.lists(st.integers(1, 2), min_size=4, max_size=4),  # per (outlet, kind)
        "vendors": st.lists(
            st.lists(st.integers(0, 3), min_size=1, max_size=3, unique=True),
            min_size=2,
            max_size=8,
        ),
        "events": st.lists(st.tuples(st.integers(0, 99), st.booleans()), max_size=4),
    }
)


@pytest.fixture
def two_outlets(make_asset, make_user):
    """Two outlets without stalls (each example adds its own and rolls them back)."""
    manager = make_user("outlet_manager")
    return manager, [make_outlet(make_asset, manager, stalls=()) for _ in range(2)]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=world)
def test_every_refill_equals_a_fresh_deferred_acceptance_run(data, two_outlets):
    with transaction.atomic():
        _play(data, *two_outlets)
        transaction.set_rollback(True)


def _play(data, manager, outlets):
    counts = data["stalls"]
    for o, outlet in enumerate(outlets):
        items = [
            {"code": f"{kind[0].upper()}-{n + 1}", "kind": kind, "area_m2": 6.0,
             "monthly_fee": 250000, "has_power": True, "has_water": False}
            for kind, count in zip(KINDS, counts[2 * o : 2 * o + 2], strict=True)
            for n in range(count)
        ]  # fmt: skip
        outlet_services.stalls_create(outlet=outlet, user=manager, items=items, many=True)
    group_keys = [(outlet.pk, kind) for outlet in outlets for kind in KINDS]
    vendors = [make_vendor() for _ in data["vendors"]]
    picks = [
        (vendor, [(outlets[g // 2], KINDS[g % 2]) for g in choice])
        for vendor, choice in zip(vendors, data["vendors"], strict=True)
    ]
    round_ = allocated_round(manager, outlets, picks)
    groups = [
        allocation.Group(key, Stall.objects.filter(outlet_id=key[0], kind=key[1]).count(), "")
        for key in group_keys
    ]
    apps = {a.vendor_id: a for a in round_.applications.all()}
    choices = {
        apps[v.pk].pk: [group_keys[g] for g in choice]
        for v, choice in zip(vendors, data["vendors"], strict=True)
    }
    out: set[int] = set()
    assert _holdings(round_) == _oracle(round_, groups, choices, out)

    for pick, accept_first in data["events"]:
        holders = sorted(_holdings(round_))
        if not holders:
            break
        app_id = holders[pick % len(holders)]
        _vacate(app_id, accept_first, manager)
        out.add(app_id)
        waitlist.waitlist_refill()
        held = _holdings(round_)
        assert held == _oracle(round_, groups, choices, out)
        assert max(Counter(held.values()).values(), default=0) <= max(
            (g.capacity for g in groups), default=0
        )


def _vacate(app_id: int, accept_first: bool, manager) -> None:
    """The holder gives up: declines her offer, or accepts and is terminated for a breach."""
    w = WaitlistOffer.objects.filter(application_id=app_id, status__in=["open", "accepted"]).last()
    offer = Offer.objects.filter(application_id=app_id).first()
    user = (w or offer).application.vendor.user
    if w is not None and w.status == "open" and not accept_first:
        waitlist.waitlist_offer_decline(offer=w, user=user)
        return
    if w is not None and w.status == "open":
        w = waitlist.waitlist_offer_accept(offer=w, user=user)
    elif w is None and offer.status == "open" and not accept_first:
        outlet_services.offer_decline(offer=offer, user=user)
        return
    elif w is None and offer.status == "open":
        outlet_services.offer_accept(offer=offer, user=user)
    lease = w.lease if w is not None else Lease.objects.get(offer=offer)
    enforcement.lease_terminate_for_cause(
        lease=lease, user=manager, ground="serious_breach", reason="Subletting found"
    )
