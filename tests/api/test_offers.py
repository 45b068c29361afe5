"""Offers and leases over the API: accept, decline, expiry, one lease per stall and per vendor."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outlets import services
from outlets.models import Lease, Offer, Stall
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_user):
    return make_user("outlet_manager")


@pytest.fixture
def offered(make_asset, manager):
    """Two vendors with an open offer each for the two kiosks of one outlet (36-month leases)."""
    outlet = make_outlet(
        make_asset, manager, stalls=(("K-01", "kiosk", 250000), ("K-02", "kiosk", 300000))
    )
    round_ = make_round(manager, [outlet], status="open", lease_months=36, acceptance_days=3)
    first, second = make_vendor(wub=True), make_vendor()
    verify(first, manager, "wub_participant")  # so she ranks first
    apply(first, round_, (outlet, "kiosk"))
    apply(second, round_, (outlet, "kiosk"))
    services.round_close(round_=round_, user=manager)
    services.round_allocate(round_=round_, user=manager)
    offers = {o.application.vendor_id: o for o in Offer.objects.select_related("application")}
    return {
        "outlet": outlet,
        "round": round_,
        "vendors": (first, second),
        "offers": (offers[first.pk], offers[second.pk]),
    }


def test_allocation_offers_stalls_in_code_order_by_priority(offered):
    first_offer, second_offer = offered["offers"]
    assert first_offer.stall.code == "K-01"  # the WUB member has the better priority
    assert second_offer.stall.code == "K-02"
    assert {o.status for o in offered["offers"]} == {"open"}
    assert set(Stall.objects.values_list("status", flat=True)) == {"offered"}
    offered["round"].refresh_from_db()
    expected = offered["round"].allocated_at + timedelta(days=3)
    assert first_offer.expires_at == expected


def test_vendor_accepts_her_offer(client_as, offered):
    vendor, offer = offered["vendors"][0], offered["offers"][0]
    client = client_as(user=vendor.user)
    response = client.post(f"/api/v1/offers/{offer.pk}/accept/")
    assert response.status_code == 200
    data = response.json()
    lease = Lease.objects.get()
    today = timezone.localdate()
    assert data["status"] == "accepted"
    assert data["lease"] == {
        "id": lease.pk,
        "offer": offer.pk,
        "outlet": offered["outlet"].pk,
        "stall": offer.stall_id,
        "stall_code": "K-01",
        "vendor": vendor.pk,
        "vendor_business_name": vendor.business_name,
        "start_date": today.isoformat(),
        "end_date": services.add_months(today, 36).isoformat(),
        "monthly_fee": "250000.00",
        "status": "active",
        "termination_reason": "",
        "terminated_at": None,
        "created_at": data["lease"]["created_at"],
    }
    assert Stall.objects.get(pk=offer.stall_id).status == "leased"
    assert Lease.history.count() == 1
    # accepting again answers the same lease, no second one
    again = client.post(f"/api/v1/offers/{offer.pk}/accept/")
    assert again.status_code == 200
    assert again.json()["lease"]["id"] == lease.pk
    assert Lease.objects.count() == 1
    # the vendor's own leases
    mine = client.get("/api/v1/leases/").json()["results"]
    assert [item["id"] for item in mine] == [lease.pk]


def test_decline_frees_the_stall_and_cannot_be_undone(client_as, offered):
    vendor, offer = offered["vendors"][1], offered["offers"][1]
    client = client_as(user=vendor.user)
    response = client.post(f"/api/v1/offers/{offer.pk}/decline/")
    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert Stall.objects.get(pk=offer.stall_id).status == "vacant"
    assert client.post(f"/api/v1/offers/{offer.pk}/decline/").status_code == 200
    response = client.post(f"/api/v1/offers/{offer.pk}/accept/")
    assert response.status_code == 409
    assert response.json() == {"detail": str(services.OFFER_NOT_OPEN)}
    assert Lease.objects.count() == 0


def test_an_expired_offer_cannot_be_accepted_and_frees_the_stall(client_as, offered):
    vendor, offer = offered["vendors"][0], offered["offers"][0]
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client_as(user=vendor.user).post(f"/api/v1/offers/{offer.pk}/accept/")
    assert response.status_code == 409
    assert response.json() == {"detail": str(services.OFFER_EXPIRED)}
    offer.refresh_from_db()
    assert offer.status == "expired"  # kept although the request failed
    assert Stall.objects.get(pk=offer.stall_id).status == "vacant"
    assert Lease.objects.count() == 0
    again = client_as(user=vendor.user).post(f"/api/v1/offers/{offer.pk}/decline/")
    assert again.status_code == 409


def test_offers_expire_when_read(client_as, offered, manager):
    """Past its time an offer reads expired and its stall vacant, before anything is written;
    `expire_offers` then writes both down (a GET never writes)."""
    vendor, offer = offered["vendors"][0], offered["offers"][0]
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    mine = client_as(user=vendor.user).get("/api/v1/applications/mine/").json()["results"]
    assert mine[0]["offer"]["status"] == "expired"
    stalls = client_as(user=manager).get(f"/api/v1/outlets/{offered['outlet'].pk}/stalls/").json()
    by_id = {stall["id"]: stall["status"] for stall in stalls["results"]}
    assert by_id[offer.stall_id] == "vacant"
    assert by_id[offered["offers"][1].stall_id] == "offered"
    assert Offer.objects.get(pk=offer.pk).status == "open"  # nothing written by the reads
    assert services.offers_expire_due() == 1
    assert Stall.objects.get(pk=offer.stall_id).status == "vacant"
    assert Offer.objects.get(pk=offered["offers"][1].pk).status == "open"


@pytest.mark.parametrize("path", ["/api/v1/applications/mine/", "/api/v1/offers/"])
def test_a_vendors_read_expires_only_her_own_offers(client_as, offered, path):
    """She sees her own offer expired; the write that follows (`expire_offers`) frees its stall
    and the other vendor's too, each offer by its own deadline."""
    mine, theirs = offered["offers"]
    Offer.objects.filter(pk=mine.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client_as(user=offered["vendors"][0].user).get(path)
    assert response.status_code == 200
    offers = _offers_in(response.json())
    assert [(o["id"], o["status"]) for o in offers] == [(mine.pk, "expired")]
    services.offers_expire_due()
    assert Offer.objects.get(pk=mine.pk).status == "expired"
    assert Stall.objects.get(pk=mine.stall_id).status == "vacant"
    assert Offer.objects.get(pk=theirs.pk).status == "open"
    assert Stall.objects.get(pk=theirs.stall_id).status == "offered"


def _offers_in(body: dict) -> list[dict]:
    """The offers of a list answer: the offers themselves, or each application's offer."""
    results = body["results"]
    return [r["offer"] for r in results if r.get("offer")] if "choices" in results[0] else results


@pytest.mark.parametrize("path", ["/api/v1/applications/mine/", "/api/v1/offers/"])
def test_a_read_with_nothing_due_writes_nothing(client_as, offered, path):
    client = client_as(user=offered["vendors"][0].user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    writes = ("SAVEPOINT", "BEGIN", "UPDATE", "INSERT", "DELETE", "FOR UPDATE")
    assert [q["sql"] for q in ctx.captured_queries if any(w in q["sql"] for w in writes)] == []
    assert set(Offer.objects.values_list("status", flat=True)) == {"open"}


@pytest.mark.parametrize("path", ["/api/v1/applications/mine/", "/api/v1/leases/"])
def test_a_vendor_role_without_a_profile_is_refused_her_lists(client_as, path):
    response = client_as("vendor").get(path)
    assert response.status_code == 403
    assert response.json() == {"detail": str(services.VENDOR_PROFILE_REQUIRED)}


@pytest.mark.parametrize("path", ["/api/v1/applications/mine/", "/api/v1/leases/"])
def test_a_vendor_with_nothing_yet_gets_empty_lists(client_as, path):
    response = client_as(user=make_vendor().user).get(path)
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_her_lists_are_read_without_a_query_for_her_profile(client_as, offered):
    vendor, offer = offered["vendors"][0], offered["offers"][0]
    client = client_as(user=vendor.user)
    assert client.post(f"/api/v1/offers/{offer.pk}/accept/").status_code == 200
    for path in ("/api/v1/applications/mine/", "/api/v1/leases/"):
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(path).json()
        assert body["count"] == 1
        assert [q["sql"] for q in ctx.captured_queries if 'FROM "outlets_vendor"' in q["sql"]] == []
    # and another vendor's lease is not hers
    other = client_as(user=offered["vendors"][1].user).get("/api/v1/leases/").json()
    assert other["count"] == 0


def test_an_offer_past_due_on_the_page_is_shown_expired(client_as, offered):
    vendor, offer = offered["vendors"][0], offered["offers"][0]
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    body = client_as(user=vendor.user).get("/api/v1/applications/mine/").json()
    assert body["count"] == 1
    assert body["results"][0]["offer"]["id"] == offer.pk
    assert body["results"][0]["offer"]["status"] == "expired"
    assert body["results"][0]["assigned"]["stall"] == offer.stall_id


def test_expire_offers_command(offered, capsys):
    Offer.objects.update(expires_at=timezone.now() - timedelta(minutes=5))
    call_command("expire_offers")
    assert capsys.readouterr().out == "Expired 2 offer(s).\n"
    assert set(Offer.objects.values_list("status", flat=True)) == {"expired"}
    assert set(Stall.objects.values_list("status", flat=True)) == {"vacant"}
    call_command("expire_offers")
    assert capsys.readouterr().out == "Expired 0 offer(s).\n"


def test_a_vendor_with_an_active_lease_cannot_accept_another(client_as, make_asset, offered):
    manager = offered["round"].created_by
    vendor, offer = offered["vendors"][0], offered["offers"][0]
    client = client_as(user=vendor.user)
    assert client.post(f"/api/v1/offers/{offer.pk}/accept/").status_code == 200
    # a second round gives her another offer
    outlet = make_outlet(make_asset, manager, stalls=(("B-01", "booth"),))
    round_ = make_round(manager, [outlet], status="open")
    apply(vendor, round_, (outlet, "booth"))
    services.round_close(round_=round_, user=manager)
    services.round_allocate(round_=round_, user=manager)
    second = Offer.objects.get(stall__code="B-01")
    response = client.post(f"/api/v1/offers/{second.pk}/accept/")
    assert response.status_code == 409
    assert response.json() == {"detail": str(services.VENDOR_HAS_LEASE)}
    assert Lease.objects.count() == 1
    assert Offer.objects.get(pk=second.pk).status == "open"


def test_a_vendor_never_sees_or_acts_on_another_vendors_offer(client_as, offered):
    offer = offered["offers"][0]
    intruder = client_as(user=offered["vendors"][1].user)
    assert intruder.get(f"/api/v1/offers/{offer.pk}/").status_code == 404
    assert intruder.post(f"/api/v1/offers/{offer.pk}/accept/").status_code == 404
    assert intruder.post(f"/api/v1/offers/{offer.pk}/decline/").status_code == 404
    listed = intruder.get("/api/v1/offers/").json()["results"]
    assert [o["id"] for o in listed] == [offered["offers"][1].pk]
    assert Offer.objects.get(pk=offer.pk).status == "open"
    assert Lease.objects.count() == 0


def test_a_vendor_never_sees_another_vendors_lease(client_as, offered):
    owner, offer = offered["vendors"][0], offered["offers"][0]
    client_as(user=owner.user).post(f"/api/v1/offers/{offer.pk}/accept/")
    lease = Lease.objects.get()
    intruder = client_as(user=offered["vendors"][1].user)
    assert intruder.get(f"/api/v1/leases/{lease.pk}/").status_code == 404
    assert intruder.get("/api/v1/leases/").json()["results"] == []


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("anonymous", 401),
        ("asset_officer", 403),
        ("asset_approver", 403),
        ("planner", 403),
        ("outlet_manager", 403),
    ],
)
def test_only_the_vendor_accepts_or_declines(role_clients, offered, role, code):
    offer = offered["offers"][0]
    client = role_clients[role]
    assert client.post(f"/api/v1/offers/{offer.pk}/accept/").status_code == code
    assert client.post(f"/api/v1/offers/{offer.pk}/decline/").status_code == code
    assert Offer.objects.get(pk=offer.pk).status == "open"
    assert Lease.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "code"),
    [("anonymous", 401), ("asset_officer", 403), ("asset_approver", 403), ("planner", 200)],
)
def test_offers_and_leases_are_read_by_managers_planners_and_vendors(
    role_clients, offered, role, code
):
    assert role_clients[role].get("/api/v1/offers/").status_code == code
    assert role_clients[role].get("/api/v1/leases/").status_code == code


def test_manager_terminates_a_lease_with_a_reason(client_as, offered, manager):
    vendor, offer = offered["vendors"][0], offered["offers"][0]
    client_as(user=vendor.user).post(f"/api/v1/offers/{offer.pk}/accept/")
    lease = Lease.objects.get()
    client = client_as(user=manager)
    url = f"/api/v1/leases/{lease.pk}/terminate/"
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        response = client.post(url, body, format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["reason"]
    assert Lease.objects.get().status == "active"
    response = client.post(url, {"reason": "Tunggakan sewa tiga bulan"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "terminated"
    assert response.json()["termination_reason"] == "Tunggakan sewa tiga bulan"
    assert Stall.objects.get(pk=offer.stall_id).status == "vacant"
    assert client.post(url, {"reason": "again"}, format="json").status_code == 409
    # the vendor may now lease again: one active lease per vendor, not one ever
    assert Lease.objects.filter(vendor=vendor, status="active").count() == 0


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("anonymous", 401),
        ("asset_officer", 403),
        ("asset_approver", 403),
        ("planner", 403),
        ("vendor", 403),
    ],
)
def test_only_managers_terminate(role_clients, client_as, offered, role, code):
    vendor, offer = offered["vendors"][0], offered["offers"][0]
    client_as(user=vendor.user).post(f"/api/v1/offers/{offer.pk}/accept/")
    lease = Lease.objects.get()
    response = role_clients[role].post(
        f"/api/v1/leases/{lease.pk}/terminate/", {"reason": "x"}, format="json"
    )
    assert response.status_code == code
    assert Lease.objects.get().status == "active"


def test_lease_end_dates_clip_to_the_month():
    assert services.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert services.add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert services.add_months(date(2026, 11, 27), 12) == date(2027, 11, 27)
    assert services.add_months(date(2026, 12, 15), 60) == date(2031, 12, 15)
