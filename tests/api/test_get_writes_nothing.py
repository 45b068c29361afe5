"""No GET request writes to the database: every GET operation of the OpenAPI schema, called by
every role (and anonymously) on real objects, runs no INSERT, UPDATE or DELETE.

The world holds an allocated round whose offers are past their deadline and not yet written
down as expired: the reads must show them expired (and their stalls vacant) without writing.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from assets_app.models import Asset, Reclassification
from core.models import AuditEvent
from core.roles import OUTLET_MANAGER, ROLES
from geodata.models import District
from outlets import services
from outlets.models import AllocationRound, Application, Lease, Offer, Outlet, Stall, Vendor
from tests.conftest import client_for
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def _get_paths() -> list[str]:
    """The schema's paths that have a GET operation."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(path for path, operations in schema["paths"].items() if "get" in operations)


@pytest.fixture
def world(make_asset, make_user):
    """An allocated round with one accepted offer (a lease) and one open offer past its time."""
    manager = make_user(OUTLET_MANAGER)
    outlet = make_outlet(make_asset, manager, stalls=(("K-01", "kiosk"), ("K-02", "kiosk")))
    round_ = make_round(manager, [outlet], status="open")
    first, second = make_vendor(), make_vendor()
    apply(first, round_, (outlet, "kiosk"))
    apply(second, round_, (outlet, "kiosk"))
    services.round_close(round_=round_, user=manager)
    services.round_allocate(round_=round_, user=manager)
    accepted = Offer.objects.get(application__vendor=first)
    services.offer_accept(offer=accepted, user=first.user)
    overdue = Offer.objects.get(application__vendor=second)
    Offer.objects.filter(pk=overdue.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    return {"manager": manager, "vendors": (first, second), "overdue": overdue, "outlet": outlet}


def _ids(world) -> dict[str, object]:
    """A real id for each path's first segment (the district's code for districts)."""
    return {
        "applications": Application.objects.filter(vendor=world["vendors"][1]).first().pk,
        "assets": Asset.objects.first().pk,
        "audit": AuditEvent.objects.first().pk,
        "districts": District.objects.order_by("code").first().code,
        "leases": Lease.objects.first().pk,
        "offers": world["overdue"].pk,
        "outlets": world["outlet"].pk,
        "reclassifications": Reclassification.objects.first().pk,
        "rounds": AllocationRound.objects.first().pk,
        "vendors": world["vendors"][1].pk,
    }


def _url(path: str, ids: dict[str, object]) -> str:
    segment = path.removeprefix("/api/v1/").split("/")[0]
    return re.sub(r"\{[^}]+\}", str(ids.get(segment, 1)), path)


def _callers(world, make_user) -> dict[str, object]:
    """A client per role, the vendor with the overdue offer, the manager of the outlet and an
    anonymous one."""
    callers = {role: client_for(make_user(role)) for role in ROLES}
    callers["vendor_with_offer"] = client_for(world["vendors"][1].user)
    callers["outlet_manager_of_outlet"] = client_for(world["manager"])
    callers["anonymous"] = client_for(None)
    return callers


def _writes(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)  # an export reads as it streams
    return response.status_code, [q["sql"] for q in ctx.captured_queries if WRITE.match(q["sql"])]


def test_no_get_writes(world, make_user):
    ids = _ids(world)
    paths = _get_paths()
    assert len(paths) >= 25  # the schema's GET operations were found
    found = {}
    for name, client in _callers(world, make_user).items():
        for path in paths:
            status, writes = _writes(client, _url(path, ids))
            assert status < 500, (name, path)
            if writes:
                found[(name, path)] = writes
    assert found == {}


def test_the_assessment_read_writes_nothing(world, make_user):
    client = client_for(make_user("asset_officer"))
    status, writes = _writes(client, f"/api/v1/assets/{Asset.objects.first().pk}/assessment/")
    assert (status, writes) == (200, [])


def test_a_lapsed_offer_reads_expired_and_its_stall_vacant_without_a_write(world):
    overdue = world["overdue"]
    vendor_client = client_for(world["vendors"][1].user)
    manager_client = client_for(world["manager"])
    for client, url in (
        (vendor_client, f"/api/v1/offers/{overdue.pk}/"),
        (manager_client, f"/api/v1/offers/{overdue.pk}/"),
        (vendor_client, "/api/v1/applications/mine/"),
        (manager_client, f"/api/v1/outlets/{world['outlet'].pk}/stalls/"),
        (manager_client, f"/api/v1/rounds/{AllocationRound.objects.first().pk}/"),
    ):
        status, writes = _writes(client, url)
        assert (status, writes) == (200, []), url
    offer = vendor_client.get(f"/api/v1/offers/{overdue.pk}/").json()
    assert offer["status"] == "expired"
    assert offer["decided_at"] is not None
    stalls = manager_client.get(f"/api/v1/outlets/{world['outlet'].pk}/stalls/").json()
    by_id = {stall["id"]: stall["status"] for stall in stalls["results"]}
    assert by_id[overdue.stall_id] == "vacant"
    outlet = manager_client.get(f"/api/v1/outlets/{world['outlet'].pk}/?has_vacancy=true")
    assert outlet.status_code == 200
    # Nothing was written: the offer and its stall are as allocation left them ...
    assert Offer.objects.get(pk=overdue.pk).status == "open"
    assert Stall.objects.get(pk=overdue.stall_id).status == "offered"
    # ... until the scheduled command writes down what the reads showed, the same answer.
    assert services.offers_expire_due() == 1
    assert Stall.objects.get(pk=overdue.stall_id).status == "vacant"
    assert vendor_client.get(f"/api/v1/offers/{overdue.pk}/").json() == offer


def test_accepting_a_lapsed_offer_is_refused_and_writes_the_expiry(world):
    overdue = world["overdue"]
    response = client_for(world["vendors"][1].user).post(f"/api/v1/offers/{overdue.pk}/accept/")
    assert response.status_code == 409
    assert response.json() == {"detail": str(services.OFFER_EXPIRED)}
    assert Offer.objects.get(pk=overdue.pk).status == "expired"
    assert Stall.objects.get(pk=overdue.stall_id).status == "vacant"
    assert not Lease.objects.filter(offer=overdue).exists()
    assert Vendor.objects.count() == 2
    assert Outlet.objects.count() == 1
