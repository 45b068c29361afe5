"""Object-level access: a vendor reaches only her own profile, applications, offers and leases.

Another vendor's object answers exactly what a missing object answers (404 with the same body),
so an intruder cannot even learn that it exists; nothing she sends changes it.
"""

import pytest
from django.contrib.auth import get_user_model

from outlets import services
from outlets.models import Application, Lease, Offer, Stall, Vendor
from tests.conftest import client_for
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor

pytestmark = pytest.mark.django_db
MISSING = 987654321


@pytest.fixture
def two_vendors(make_user, make_asset):
    """Vendors A and B, each with a lease (round 1), an open offer (round 2), an application."""
    manager = make_user("outlet_manager")
    outlet = make_outlet(
        make_asset,
        manager,
        stalls=(("K-01", "kiosk"), ("K-02", "kiosk"), ("K-03", "kiosk"), ("K-04", "kiosk")),
    )
    vendors = {"a": make_vendor(), "b": make_vendor()}
    rounds = []
    for _ in range(2):
        round_ = make_round(manager, [outlet], status="open")
        for vendor in vendors.values():
            apply(vendor, round_, (outlet, "kiosk"))
        services.round_close(round_=round_, user=manager)
        rounds.append(services.round_allocate(round_=round_, user=manager))
    open_round = make_round(manager, [outlet], status="open")
    objects = {}
    for key, vendor in vendors.items():
        first = Offer.objects.get(application__round=rounds[0], application__vendor=vendor)
        objects[key] = {
            "vendor": vendor,
            "lease": services.offer_accept(offer=first, user=vendor.user).lease,
            "offer": Offer.objects.get(application__round=rounds[1], application__vendor=vendor),
            "application": apply(vendor, open_round, (outlet, "kiosk")),
        }
    return objects


def state():
    """Everything an intruder might try to change."""
    return {
        "vendors": list(Vendor.objects.order_by("pk").values()),
        "applications": list(Application.objects.order_by("pk").values("pk", "status")),
        "choices": list(
            Application.objects.order_by("pk").values_list("pk", "choices__stall_kind")
        ),
        "offers": list(Offer.objects.order_by("pk").values("pk", "status")),
        "leases": list(Lease.objects.order_by("pk").values("pk", "status")),
        "stalls": list(Stall.objects.order_by("pk").values("pk", "status")),
        "vendor_history": Vendor.history.count(),
    }


def intrusions(victim: dict) -> list[tuple[str, str, dict | None]]:
    """(method, url with {id}, body) for every vendor endpoint that takes an object id."""
    application, offer, lease = victim["application"], victim["offer"], victim["lease"]
    choices = {"choices": [{"outlet": 1, "stall_kind": "booth"}]}
    return [
        ("get", f"/api/v1/applications/{application.pk}/", None),
        ("patch", f"/api/v1/applications/{application.pk}/", choices),
        ("post", f"/api/v1/applications/{application.pk}/withdraw/", None),
        ("get", f"/api/v1/offers/{offer.pk}/", None),
        ("post", f"/api/v1/offers/{offer.pk}/accept/", None),
        ("post", f"/api/v1/offers/{offer.pk}/decline/", None),
        ("get", f"/api/v1/leases/{lease.pk}/", None),
    ]


def test_another_vendors_objects_answer_as_if_missing_and_stay_unchanged(two_vendors):
    victim, intruder = two_vendors["a"], two_vendors["b"]
    client = client_for(intruder["vendor"].user)
    before = state()
    for method, url, body in intrusions(victim):
        missing_url = url.replace(f"/{url.split('/')[4]}/", f"/{MISSING}/")
        response = getattr(client, method)(url, body, format="json")
        missing = getattr(client, method)(missing_url, body, format="json")
        assert (response.status_code, response.json()) == (404, missing.json()), (method, url)
        assert missing.status_code == 404
    assert state() == before


def test_the_owner_reaches_the_same_objects(two_vendors):
    owner = two_vendors["a"]
    client = client_for(owner["vendor"].user)
    for method, url, _body in intrusions(owner):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_lists_hold_only_the_vendors_own_objects(two_vendors):
    for key, mine in two_vendors.items():
        client = client_for(mine["vendor"].user)
        applications = client.get("/api/v1/applications/mine/").json()["results"]
        offers = client.get("/api/v1/offers/").json()["results"]
        leases = client.get("/api/v1/leases/").json()["results"]
        own_offers = Offer.objects.filter(application__vendor=mine["vendor"])
        own_applications = Application.objects.filter(vendor=mine["vendor"])
        assert sorted(a["id"] for a in applications) == sorted(
            own_applications.values_list("pk", flat=True)
        ), key
        assert sorted(o["id"] for o in offers) == sorted(own_offers.values_list("pk", flat=True))
        assert [lease["id"] for lease in leases] == [mine["lease"].pk]


def test_a_vendor_reaches_only_her_own_profile(two_vendors):
    victim, intruder = two_vendors["a"], two_vendors["b"]
    client = client_for(intruder["vendor"].user)
    before = state()
    # the vendor records are for outlet managers (403); no other route reaches a profile (404)
    for url, code in (
        (f"/api/v1/vendors/{victim['vendor'].pk}/", 403),
        ("/api/v1/vendors/", 403),
        (f"/api/v1/vendors/{victim['vendor'].pk}/me/", 404),
    ):
        assert client.get(url).status_code == code, url
        assert client.patch(url, {"phone": "0800000000"}, format="json").status_code == code
    me = client.get("/api/v1/vendors/me/").json()
    assert me["id"] == intruder["vendor"].pk
    # a body naming someone else changes nothing about them
    response = client.patch(
        "/api/v1/vendors/me/",
        {"id": victim["vendor"].pk, "username": victim["vendor"].user.username},
        format="json",
    )
    assert response.status_code == 400
    assert state() == before
    assert get_user_model().objects.get(pk=intruder["vendor"].user_id).username != (
        victim["vendor"].user.username
    )


def test_vendors_cannot_read_round_results_or_terminate_leases(two_vendors):
    victim, intruder = two_vendors["a"], two_vendors["b"]
    client = client_for(intruder["vendor"].user)
    round_id = victim["lease"].offer.application.round_id
    before = state()
    assert client.get(f"/api/v1/rounds/{round_id}/results/").status_code == 403
    terminate = client.post(
        f"/api/v1/leases/{victim['lease'].pk}/terminate/", {"reason": "x"}, format="json"
    )
    assert terminate.status_code == 403
    own = client.post(
        f"/api/v1/leases/{intruder['lease'].pk}/terminate/", {"reason": "x"}, format="json"
    )
    assert own.status_code == 403
    assert state() == before
