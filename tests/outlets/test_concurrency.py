"""Races on PostgreSQL: the locks and constraints keep one lease, one application, one run.

Each test starts N threads on a barrier, each with its own database connection, all calling the
API at once; the assertions count what was written. SQLite serialises writers itself, so these
run only on PostgreSQL (set DATABASE_URL).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from outlets import services
from outlets.models import AllocationRun, Application, Lease, Offer, Stall
from tests.conftest import client_for
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor

# serialized_rollback: a transactional test ends by emptying every table, districts included;
# this restores the migrated data (the 74 districts) for the tests that come after.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
THREADS = 20


def race(n: int, action):
    """Run `action(i)` in n threads released together; return their results in order."""
    barrier = threading.Barrier(n)

    def run(i):
        try:
            barrier.wait(timeout=30)
            return action(i)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def test_twenty_threads_accepting_one_offer_make_one_lease(make_asset, make_user):
    manager = make_user("outlet_manager")
    outlet = make_outlet(make_asset, manager)
    round_ = make_round(manager, [outlet], status="open")
    vendor = make_vendor()
    apply(vendor, round_, (outlet, "kiosk"))
    services.round_close(round_=round_, user=manager)
    services.round_allocate(round_=round_, user=manager)
    offer = Offer.objects.get()
    url = f"/api/v1/offers/{offer.pk}/accept/"

    responses = race(THREADS, lambda i: client_for(vendor.user).post(url))

    assert [r.status_code for r in responses] == [200] * THREADS
    lease = Lease.objects.get()
    assert {r.json()["lease"]["id"] for r in responses} == {lease.pk}
    assert Stall.objects.get().status == "leased"
    assert Offer.objects.get().status == "accepted"
    assert Lease.history.count() == 1


def test_twenty_threads_applying_for_one_vendor_make_one_application(make_asset, make_user):
    manager = make_user("outlet_manager")
    outlet = make_outlet(make_asset, manager)
    round_ = make_round(manager, [outlet], status="open")
    vendor = make_vendor()
    url = f"/api/v1/rounds/{round_.pk}/applications/"
    body = {"choices": [{"outlet": outlet.pk, "stall_kind": "kiosk"}]}

    responses = race(THREADS, lambda i: client_for(vendor.user).post(url, body, format="json"))

    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * (THREADS - 1)
    assert Application.objects.count() == 1
    assert Application.objects.get().choices.count() == 1


def test_two_concurrent_allocations_of_one_round_make_one_run(make_asset, make_user):
    manager = make_user("outlet_manager")
    outlet = make_outlet(make_asset, manager, stalls=(("K-01", "kiosk"), ("K-02", "kiosk")))
    round_ = make_round(manager, [outlet], status="open")
    for _ in range(3):
        apply(make_vendor(), round_, (outlet, "kiosk"))
    services.round_close(round_=round_, user=manager)
    url = f"/api/v1/rounds/{round_.pk}/allocate/"

    responses = race(2, lambda i: client_for(manager).post(url))

    assert sorted(r.status_code for r in responses) == [200, 409]
    assert AllocationRun.objects.count() == 1
    assert Offer.objects.count() == 2
    assert Stall.objects.filter(status="offered").count() == 2


def test_accepting_and_declining_at_once_leave_one_consistent_state(make_asset, make_user):
    manager = make_user("outlet_manager")
    outlet = make_outlet(make_asset, manager)
    round_ = make_round(manager, [outlet], status="open")
    vendor = make_vendor()
    apply(vendor, round_, (outlet, "kiosk"))
    services.round_close(round_=round_, user=manager)
    services.round_allocate(round_=round_, user=manager)
    offer = Offer.objects.get()
    paths = [f"/api/v1/offers/{offer.pk}/{'accept' if i % 2 else 'decline'}/" for i in range(10)]

    responses = race(10, lambda i: client_for(vendor.user).post(paths[i]))

    offer.refresh_from_db()
    stall = Stall.objects.get()
    if offer.status == "accepted":
        assert (Lease.objects.count(), stall.status) == (1, "leased")
    else:
        assert (offer.status, Lease.objects.count(), stall.status) == ("declined", 0, "vacant")
    assert sorted({r.status_code for r in responses}) == [200, 409]


def test_applications_racing_the_close_all_land_before_it_or_are_refused(make_asset, make_user):
    # given: an open round, twelve vendors and the manager, released together
    manager = make_user("outlet_manager")
    outlet = make_outlet(make_asset, manager)
    round_ = make_round(manager, [outlet], status="open")
    vendors = [make_vendor() for _ in range(12)]
    url = f"/api/v1/rounds/{round_.pk}/applications/"
    body = {"choices": [{"outlet": outlet.pk, "stall_kind": "kiosk"}]}

    def act(i):
        if i == len(vendors):
            return client_for(manager).post(f"/api/v1/rounds/{round_.pk}/close/")
        return client_for(vendors[i].user).post(url, body, format="json")

    # when
    responses = race(len(vendors) + 1, act)

    # then: the close went through; each application is a 201 written before it, or a 409
    assert responses[-1].status_code == 200
    codes = [r.status_code for r in responses[:-1]]
    assert set(codes) <= {201, 409}
    round_.refresh_from_db()
    applications = list(Application.objects.filter(round=round_))
    assert len(applications) == codes.count(201)
    assert all(a.created_at <= round_.closed_at for a in applications)
