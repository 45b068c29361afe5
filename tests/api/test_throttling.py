"""Throttling: registration and sign-in per address, vendor writes per vendor; 429 + Retry-After.

The rates come from settings (`THROTTLE_REGISTER`, `THROTTLE_TOKEN`, `THROTTLE_VENDOR_WRITE`);
DRF reads them once onto the throttle class, so each test sets small ones there. The counters
live in the cache, which `tests/conftest.py` clears around every test.
"""

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from api.auth import TokenView
from api.outlets import views as outlet_views
from outlets import services
from outlets.models import Application, Offer, Vendor
from tests.conftest import client_for
from tests.outlets.helpers import (
    apply,
    make_nik,
    make_outlet,
    make_round,
    make_vendor,
)

pytestmark = pytest.mark.django_db
REGISTER = "/api/v1/vendors/register/"
TOKEN = "/api/v1/auth/token/"
PASSWORD = "Stall-pass-2026!"


@pytest.fixture
def rates(monkeypatch):
    """rates(register="2/hour", ...): small limits for this test."""

    def _set(**scopes: str) -> None:
        monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", dict(scopes))

    return _set


def registration(n: int) -> dict:
    return {
        "username": f"vendor{n}",
        "password": PASSWORD,
        "full_name": f"Vendor {n}",
        "nik": make_nik(),
        "phone": "081234567890",
        "business_name": f"Usaha {n}",
        "product_category": "culinary",
    }


def assert_throttled(response, *, window: int) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= window
    assert set(response.json()) == {"detail"}


def test_views_use_the_scopes_the_settings_define():
    assert (TokenView.throttle_scope, TokenView.throttle_classes) == ("token", [ScopedRateThrottle])
    register = outlet_views.VendorRegisterView
    assert (register.throttle_scope, register.throttle_classes) == (
        "register",
        [ScopedRateThrottle],
    )
    for view in (
        outlet_views.VendorMeView,
        outlet_views.ApplicationViewSet,
        outlet_views.OfferViewSet,
    ):
        assert view.throttle_scope == "vendor_write", view
        assert view.throttle_classes == [outlet_views.VendorWriteThrottle], view
    assert outlet_views.RoundViewSet.throttle_classes == [outlet_views.VendorWriteThrottle]


def test_registration_is_throttled_per_address_with_retry_after(rates):
    rates(register="2/hour")
    client = APIClient(REMOTE_ADDR="10.1.1.1")
    codes = [client.post(REGISTER, registration(n), format="json").status_code for n in range(2)]
    assert codes == [201, 201]
    third = client.post(REGISTER, registration(2), format="json")
    assert_throttled(third, window=3600)
    assert Vendor.objects.count() == 2
    # another address is unaffected
    other = APIClient(REMOTE_ADDR="10.2.2.2").post(REGISTER, registration(3), format="json")
    assert other.status_code == 201
    assert Vendor.objects.count() == 3


def test_a_forged_forwarded_for_header_does_not_reset_the_count(rates):
    rates(register="2/hour")
    client = APIClient(REMOTE_ADDR="10.1.1.1")
    codes = [
        client.post(
            REGISTER, registration(n), format="json", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        ).status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]
    assert Vendor.objects.count() == 2


def test_sign_in_is_throttled_per_address_with_retry_after(rates, make_user):
    rates(token="3/minute")
    make_user("planner", username="ani", password=PASSWORD)
    client = APIClient(REMOTE_ADDR="10.1.1.1")
    wrong = {"username": "ani", "password": "guess"}
    codes = [client.post(TOKEN, wrong, format="json").status_code for _ in range(3)]
    assert codes == [400, 400, 400]
    # even the right password waits now: guessing cannot go on
    blocked = client.post(TOKEN, {"username": "ani", "password": PASSWORD}, format="json")
    assert_throttled(blocked, window=60)
    other = APIClient(REMOTE_ADDR="10.2.2.2")
    signed_in = other.post(TOKEN, {"username": "ani", "password": PASSWORD}, format="json")
    assert signed_in.status_code == 200
    assert set(signed_in.json()) == {"token"}


@pytest.fixture
def vendor_world(make_user, make_asset):
    manager = make_user("outlet_manager")
    outlet = make_outlet(make_asset, manager, stalls=(("K-01", "kiosk"), ("K-02", "kiosk")))
    allocated = make_round(manager, [outlet], status="open")
    first, second = make_vendor(), make_vendor()
    for vendor in (first, second):
        apply(vendor, allocated, (outlet, "kiosk"))
    services.round_close(round_=allocated, user=manager)
    services.round_allocate(round_=allocated, user=manager)
    open_round = make_round(manager, [outlet], status="open")
    return {
        "outlet": outlet,
        "open_round": open_round,
        "vendors": (first, second),
        "offer": Offer.objects.get(application__vendor=first),
        "application": apply(first, open_round, (outlet, "kiosk")),
    }


def vendor_writes(world) -> list[tuple[str, str, dict | None]]:
    choices = {"choices": [{"outlet": world["outlet"].pk, "stall_kind": "kiosk"}]}
    application, offer = world["application"], world["offer"]
    return [
        ("patch", "/api/v1/vendors/me/", {"phone": "081111111111"}),
        ("post", f"/api/v1/rounds/{world['open_round'].pk}/applications/", choices),
        ("patch", f"/api/v1/applications/{application.pk}/", choices),
        ("post", f"/api/v1/applications/{application.pk}/withdraw/", None),
        ("post", f"/api/v1/offers/{offer.pk}/accept/", None),
        ("post", f"/api/v1/offers/{offer.pk}/decline/", None),
    ]


@pytest.mark.parametrize("index", range(6))
def test_each_vendor_write_is_throttled(rates, vendor_world, index):
    rates(vendor_write="1/minute")
    method, url, data = vendor_writes(vendor_world)[index]
    client = client_for(vendor_world["vendors"][0].user)
    # the one write this minute allows (answered whatever its merits), then 429
    assert getattr(client, method)(url, data, format="json").status_code != 429
    before = (
        list(Application.objects.values_list("pk", "status")),
        list(Offer.objects.values_list("pk", "status")),
        Vendor.history.count(),
    )
    assert_throttled(getattr(client, method)(url, data, format="json"), window=60)
    assert before == (
        list(Application.objects.values_list("pk", "status")),
        list(Offer.objects.values_list("pk", "status")),
        Vendor.history.count(),
    )


def test_vendor_writes_share_one_budget_reads_are_free_and_others_unaffected(rates, vendor_world):
    rates(vendor_write="2/minute")
    first, second = (client_for(v.user) for v in vendor_world["vendors"])
    me = "/api/v1/vendors/me/"
    assert first.patch(me, {"phone": "081111111111"}, format="json").status_code == 200
    assert first.patch(me, {"phone": "081222222222"}, format="json").status_code == 200
    # every vendor write draws on the same budget
    url = f"/api/v1/applications/{vendor_world['application'].pk}/withdraw/"
    assert_throttled(first.post(url), window=60)
    assert Application.objects.get(pk=vendor_world["application"].pk).status == "submitted"
    # reads are not counted
    assert [first.get(me).status_code for _ in range(5)] == [200] * 5
    assert first.get("/api/v1/offers/").status_code == 200
    # another vendor has her own budget
    assert second.patch(me, {"phone": "081333333333"}, format="json").status_code == 200
    assert Vendor.objects.get(pk=vendor_world["vendors"][0].pk).phone == "081222222222"
