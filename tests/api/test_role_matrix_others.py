"""The role matrix's world seen by ANOTHER outlet manager (who manages a different outlet) and
ANOTHER vendor (who holds her own lease in the same outlet): the role is right, the object is
not theirs. The manager is refused every write on this outlet's objects (403), and the vendor
reaches none of the first vendor's lease, bills, payments, offers or applications (404, as a
missing one; a 400 naming `lease` where the id comes in a body). Nothing is written."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.models import AuditEvent
from core.roles import OUTLET_MANAGER
from outlets.models import Lease, Stall
from outlets.nik import city_today
from tests.api.matrix_operations import RESOLVED_ON
from tests.api.test_role_matrix import PREFIX, send, world  # noqa: F401 (world: a fixture)
from tests.conftest import client_for
from tests.outlets.helpers import make_outlet

pytestmark = pytest.mark.django_db

TODAY = city_today().isoformat()

# (method, url, body, format, expected)
ANOTHER_MANAGER = [
    ("PATCH", "/outlets/{outlet}/", {"name": "Gerai lain"}, "json", 403),
    (
        "POST", "/outlets/{outlet}/stalls/",
        {"code": "X-01", "kind": "kiosk", "area_m2": "6", "monthly_fee": "1000"},
        "json", 403,
    ),
    ("PUT", "/outlets/{outlet}/terms/",
     {"regime": "retribusi", "commercial_rate_per_m2": "100000"}, "json", 403),
    (
        "POST", "/tariffs/",
        {"outlet": "{outlet}", "stall_kind": "kiosk", "base_rate_per_m2": "1000",
         "regulation": "Perwal (synthetic)", "valid_from": TODAY},
        "json", 403,
    ),
    ("POST", "/payments/",
     {"lease": "{lease}", "reference": "OTHER-1", "amount": "1000", "paid_on": TODAY}, "json", 403),
    ("POST", "/payments/{payment}/reverse/", {"reason": "Salah catat"}, "json", 403),
    (
        "POST", "/warnings/",
        {"lease": "{lease}", "reason": "arrears", "issued_on": TODAY, "deadline": RESOLVED_ON},
        "json", 403,
    ),
    ("POST", "/warnings/{warning}/resolve/", {"resolved_on": RESOLVED_ON}, "json", 403),
    ("POST", "/terminations/",
     {"lease": "{lease}", "ground": "serious_breach", "reason": "Disewakan lagi"}, "json", 403),
    ("POST", "/leases/{lease}/terminate/", {"reason": "Disewakan lagi"}, "json", 403),
    ("POST", "/renewals/{renewal}/approve/", None, "json", 403),
    ("POST", "/renewals/{other_renewal}/refuse/", {"reason": "Tidak"}, "json", 403),
    ("POST", "/rounds/{draft_round}/open/", None, "json", 403),
]  # fmt: skip

ANOTHER_VENDOR = [
    ("GET", "/leases/{lease}/", None, "json", 404),
    ("GET", "/accounts/{lease}/", None, "json", 404),
    ("GET", "/payments/{payment}/", None, "json", 404),
    ("GET", "/payments/{payment}/receipt/", None, "json", 404),
    ("GET", "/offers/{accepted_offer}/", None, "json", 404),
    ("POST", "/offers/{accepted_offer}/accept/", None, "json", 404),
    ("POST", "/offers/{open_offer}/decline/", None, "json", 404),
    ("GET", "/applications/{application}/", None, "json", 404),
    ("POST", "/applications/{application}/withdraw/", None, "json", 404),
    ("POST", "/waitlist-offers/{accepted_waitlist_offer}/accept/", None, "json", 404),
    ("POST", "/waitlist-offers/{open_waitlist_offer}/decline/", None, "json", 404),
    ("POST", "/renewals/", {"lease": "{lease}", "months": 1}, "json", 400),
]


def _fill(value, ids):
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _answers(client, calls, ids) -> dict:
    return {
        (method, url): send(client, method, PREFIX + url.format(**ids), _fill(body, ids), fmt)
        for method, url, body, fmt, _expected in calls
    }


@pytest.fixture
def others(world, make_user, make_asset):  # noqa: F811 (the imported fixture)
    manager = make_user(OUTLET_MANAGER)
    make_outlet(make_asset, manager, stalls=())
    vendor = Lease.objects.get(pk=world["ids"]["other_lease"]).vendor
    return {"manager": client_for(manager), "vendor": client_for(vendor.user), **world}


def _written() -> tuple:
    return (
        AuditEvent.objects.count(),
        list(Stall.objects.order_by("pk").values_list("status", flat=True)),
    )


def test_another_manager_is_refused_every_write_on_this_outlets_objects(others):
    before = _written()
    answers = _answers(others["manager"], ANOTHER_MANAGER, others["ids"])
    got = {key: response.status_code for key, response in answers.items()}
    assert got == {(m, u): expected for m, u, _b, _f, expected in ANOTHER_MANAGER}
    assert _written() == before


def test_another_manager_may_not_inspect_this_outlets_stalls(others):
    stall = Stall.objects.filter(outlet_id=others["ids"]["outlet"]).order_by("pk").first()
    png = BytesIO()
    Image.new("RGB", (4, 4), "red").save(png, "PNG")
    body = {
        "stall": stall.pk, "visited_on": TODAY, "finding": "closed",
        "photos": [SimpleUploadedFile("p.png", png.getvalue(), content_type="image/png")],
    }  # fmt: skip
    before = _written()
    response = send(others["manager"], "POST", f"{PREFIX}/inspections/", body, "multipart")
    assert response.status_code == 403
    assert _written() == before


def test_another_vendor_reaches_none_of_the_first_vendors_objects(others):
    before = _written()
    answers = _answers(others["vendor"], ANOTHER_VENDOR, others["ids"])
    got = {key: response.status_code for key, response in answers.items()}
    assert got == {(m, u): expected for m, u, _b, _f, expected in ANOTHER_VENDOR}
    assert list(answers[("POST", "/renewals/")].json()) == ["lease"]
    assert _written() == before


def test_another_vendors_lists_hold_only_her_own(others):
    client, ids = others["vendor"], others["ids"]

    def listed(path):
        return [item["id"] for item in client.get(f"{PREFIX}{path}").json()["results"]]

    assert listed("/leases/") == [ids["other_lease"]]
    assert listed("/renewals/") == [ids["other_renewal"]]
    assert listed("/payments/") == []
    assert listed("/warnings/") == []
    assert listed("/waitlist-offers/") == []
    assert listed("/offers/") == []
