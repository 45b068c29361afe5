"""Helpers for the operations tests: an outlet priced by a tariff, a round allocated with its
waitlist open, the vendor who got the stall and the one waiting, and `run_daily` for a date."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

from django.core.management import call_command

from operations.services import pricing
from outlets.models import AllocationRound, Offer
from outlets.nik import city_today
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor


def run_daily(day: date) -> str:
    out = StringIO()
    call_command("run_daily", "--date", day.isoformat(), stdout=out)
    return out.getvalue()


def priced_outlet(make_asset, manager, *, regime="retribusi", stalls=(("K-01", "kiosk"),)):
    """An outlet whose kiosks cost 20,000 x 6 m² x 1.25 x 0.8 = 120,000 a month."""
    outlet = make_outlet(make_asset, manager, stalls=stalls)
    pricing.terms_set(
        outlet=outlet, user=manager, regime=regime,
        commercial_rate_per_m2=Decimal("100000"), due_days=10,
    )  # fmt: skip
    pricing.tariff_create(
        outlet=outlet, user=manager, stall_kind="kiosk", base_rate_per_m2=Decimal("20000"),
        location_factor=Decimal("1.25"), programme_factor=Decimal("0.8"),
        regulation="Perwal Depok 7/2026", valid_from=date(2020, 1, 1),
    )  # fmt: skip
    return outlet


def allocated_round(manager, outlets, vendors_choices, *, lease_months=14, waitlist_days=1500):
    """A round over `outlets` that each vendor applied to with her choices, allocated, its
    waitlist open for `waitlist_days` from today."""
    round_ = make_round(manager, outlets, status="open", lease_months=lease_months)
    for vendor, choices in vendors_choices:
        apply(vendor, round_, *choices)
    from outlets import services

    round_ = services.round_close(round_=round_, user=manager)
    round_ = services.round_allocate(round_=round_, user=manager)
    AllocationRound.objects.filter(pk=round_.pk).update(
        waitlist_closes_on=city_today() + timedelta(days=waitlist_days)
    )
    return AllocationRound.objects.get(pk=round_.pk)


def offered_and_waiting(round_, vendors):
    """(the vendor holding an offer, the vendors without one) of the round."""
    offered = {o.application.vendor_id for o in Offer.objects.filter(application__round=round_)}
    holder = [v for v in vendors if v.pk in offered]
    return holder, [v for v in vendors if v.pk not in offered]


__all__ = ["make_vendor", "priced_outlet", "allocated_round", "offered_and_waiting", "run_daily"]
