"""A lapsed waitlist offer is derived state, as ordinary offers are: past its deadline it reads
expired and its stall vacant before anything writes that; accepting it is a 409 decided under the
row lock; a refill and `run_daily` write the expiry down and offer the stall on."""

import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from operations.models import WaitlistOffer
from operations.services import waitlist
from outlets import services as outlet_services
from outlets.models import Lease, Offer, Stall
from outlets.nik import city_today
from tests.conftest import client_for
from tests.operations.helpers import allocated_round, make_vendor, priced_outlet, run_daily

pytestmark = pytest.mark.django_db
API = "/api/v1"
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


@pytest.fixture
def lapsed(make_asset, make_user):
    """One kiosk; three vendors want it. The first declines her offer, the second gets it from
    the waitlist and lets it lapse (an hour ago, not written down); the third still waits."""
    manager = make_user("outlet_manager")
    outlet = priced_outlet(make_asset, manager)
    vendors = [make_vendor() for _ in range(3)]
    round_ = allocated_round(manager, [outlet], [(v, [(outlet, "kiosk")]) for v in vendors])
    offer = Offer.objects.get(application__round=round_)
    first = next(v for v in vendors if v.pk == offer.application.vendor_id)
    outlet_services.offer_decline(offer=offer, user=first.user)
    (made,) = waitlist.waitlist_refill(today=city_today(), user=manager)
    second = next(v for v in vendors if v.pk == made.application.vendor_id)
    third = next(v for v in vendors if v not in (first, second))
    deadline = timezone.now() - timedelta(hours=1)
    WaitlistOffer.objects.filter(pk=made.pk).update(expires_at=deadline)
    return {
        "manager": manager, "outlet": outlet, "offer": made, "deadline": deadline,
        "second": second, "third": third, "stall": Stall.objects.get(outlet=outlet),
    }  # fmt: skip


def test_a_lapsed_waitlist_offer_reads_expired_and_its_stall_vacant_without_a_write(lapsed):
    second, manager = client_for(lapsed["second"].user), client_for(lapsed["manager"])
    # when: the vendor, and the manager, read
    with CaptureQueriesContext(connection) as queries:
        mine = second.get(f"{API}/waitlist-offers/").json()["results"]
        staff = manager.get(f"{API}/waitlist-offers/").json()["results"]
        stalls = manager.get(f"{API}/outlets/{lapsed['outlet'].pk}/stalls/").json()["results"]
        outlet = manager.get(f"{API}/outlets/{lapsed['outlet'].pk}/").json()
    # then: expired, decided by its deadline, the stall vacant; nothing written
    for rows in (mine, staff):
        assert [(w["id"], w["status"]) for w in rows] == [(lapsed["offer"].pk, "expired")]
        assert datetime.fromisoformat(rows[0]["decided_at"]) == lapsed["deadline"]
    assert [(s["code"], s["status"]) for s in stalls] == [("K-01", "vacant")]
    assert outlet["stalls"]["vacant"] == 1
    assert [q["sql"] for q in queries.captured_queries if WRITE.match(q["sql"])] == []
    assert WaitlistOffer.objects.get(pk=lapsed["offer"].pk).status == "open"
    assert Stall.objects.get(pk=lapsed["stall"].pk).status == "offered"


def test_accepting_a_lapsed_waitlist_offer_is_a_409_and_writes_the_expiry(lapsed):
    second = client_for(lapsed["second"].user)
    response = second.post(f"{API}/waitlist-offers/{lapsed['offer'].pk}/accept/")
    assert response.status_code == 409
    assert response.json() == {"detail": str(waitlist.WAITLIST_OFFER_EXPIRED)}
    offer = WaitlistOffer.objects.get(pk=lapsed["offer"].pk)
    assert (offer.status, offer.decided_at, offer.lease_id) == ("expired", lapsed["deadline"], None)
    assert Lease.objects.filter(vendor=lapsed["second"]).count() == 0
    assert Stall.objects.get(pk=lapsed["stall"].pk).status == "vacant"
    # declining it now is a 409 too: it is no longer open
    response = second.post(f"{API}/waitlist-offers/{lapsed['offer'].pk}/decline/")
    assert (response.status_code, response.json()) == (
        409, {"detail": str(waitlist.WAITLIST_OFFER_NOT_OPEN)}
    )  # fmt: skip


def test_a_refill_writes_the_lapse_down_and_offers_the_stall_to_the_next(lapsed):
    # when: a refill runs (as a decline elsewhere in the round runs one) before run_daily has
    (made,) = waitlist.waitlist_refill(today=city_today(), user=lapsed["manager"])
    # then: the lapsed offer is written expired and the third vendor holds the stall
    assert WaitlistOffer.objects.get(pk=lapsed["offer"].pk).status == "expired"
    assert (made.application.vendor_id, made.stall_id, made.status) == (
        lapsed["third"].pk, lapsed["stall"].pk, "open"
    )  # fmt: skip
    assert Stall.objects.get(pk=lapsed["stall"].pk).status == "offered"


def test_run_daily_writes_the_lapse_and_advances_the_waitlist_once(lapsed):
    out = run_daily(city_today())
    assert "1 waitlist offer(s) expired" in out
    assert "1 waitlist offer(s) made" in out
    assert WaitlistOffer.objects.get(pk=lapsed["offer"].pk).status == "expired"
    third = client_for(lapsed["third"].user).get(f"{API}/waitlist-offers/").json()["results"]
    assert [(w["stall"], w["status"]) for w in third] == [(lapsed["stall"].pk, "open")]
    # a second run writes nothing new
    out = run_daily(city_today())
    assert "0 offer(s) and 0 waitlist offer(s) expired" in out
    assert WaitlistOffer.objects.count() == 2
