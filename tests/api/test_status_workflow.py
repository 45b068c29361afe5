"""Four eyes on the asset's status: designated_economic and outlet are set and left only by their
workflows (an approved reclassification, opening an outlet), never by the register's PATCH,
POST or import; an asset an outlet stands on is not disposed of (409); an outlet opens only on
an asset whose reclassification was approved, whatever its status says.

Each refusal also checks nothing was written: status unchanged, no history row added.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assets_app.models import Asset
from assets_app.services import (
    DISPOSAL_WITH_ACTIVE_LEASE,
    DISPOSAL_WITH_OUTLET,
    STATUS_HELD_BY_WORKFLOW,
    STATUS_SET_BY_WORKFLOW,
)
from core.models import AuditEvent
from core.roles import ASSET_OFFICER, OUTLET_MANAGER
from outlets import services
from outlets.models import Lease, Offer, Outlet
from outlets.services import ASSET_NOT_RECLASSIFIED
from tests.conftest import BEJI_POINT
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor

pytestmark = pytest.mark.django_db

ASSETS = "/api/v1/assets/"
IMPORT_URL = "/api/v1/assets/import/"
OUTLETS = "/api/v1/outlets/"
BODY = {
    "register_code": "ST-1",
    "name": "Gedung",
    "category": "building",
    "use": "office",
    "geometry": {"type": "Point", "coordinates": list(BEJI_POINT)},
}


def set_by_workflow(status: str) -> str:
    return str(STATUS_SET_BY_WORKFLOW).format(status=status)


def held_by_workflow(status: str) -> str:
    return str(STATUS_HELD_BY_WORKFLOW).format(status=status)


def history_count(asset: Asset) -> int:
    return Asset.history.filter(id=asset.pk).count()


def assert_unchanged(asset: Asset, status: str, history: int) -> None:
    asset.refresh_from_db()
    assert asset.status == status
    assert history_count(asset) == history


def import_csv(client, rows: list[tuple[str, str]], **fields):
    lines = ["register_code,name,category,use,status,lon,lat"] + [
        f"{code},Gedung,building,office,{status},{BEJI_POINT[0]},{BEJI_POINT[1]}"
        for code, status in rows
    ]
    upload = SimpleUploadedFile("assets.csv", "\n".join(lines).encode())
    return client.post(IMPORT_URL, {"file": upload, **fields}, format="multipart")


@pytest.fixture
def officer(client_as):
    return client_as(ASSET_OFFICER)


@pytest.fixture
def manager(make_user):
    return make_user(OUTLET_MANAGER)


def leased_outlet(make_asset, manager):
    """An outlet whose one stall has an active lease, reached through the real workflow."""
    outlet = make_outlet(make_asset, manager)
    round_ = make_round(manager, [outlet], status="open")
    vendor = make_vendor()
    apply(vendor, round_, (outlet, "kiosk"))
    round_ = services.round_close(round_=round_, user=manager)
    services.round_allocate(round_=round_, user=manager)
    services.offer_accept(offer=Offer.objects.get(), user=vendor.user)
    assert Lease.objects.filter(status="active").count() == 1
    return outlet


# --- the register's PATCH and POST ----------------------------------------------------------


@pytest.mark.parametrize("status", ["designated_economic", "outlet"])
def test_patch_cannot_set_a_workflow_status(officer, make_asset, status):
    asset = make_asset()
    history = history_count(asset)
    response = officer.patch(f"{ASSETS}{asset.pk}/", {"status": status}, format="json")
    assert response.status_code == 400
    assert response.json() == {"status": [set_by_workflow(status)]}
    assert_unchanged(asset, "in_service", history)


@pytest.mark.parametrize("status", ["designated_economic", "outlet"])
def test_post_cannot_register_in_a_workflow_status(officer, status):
    response = officer.post(ASSETS, {**BODY, "status": status}, format="json")
    assert response.status_code == 400
    assert response.json() == {"status": [set_by_workflow(status)]}
    assert Asset.objects.count() == 0
    assert Asset.history.count() == 0


@pytest.mark.parametrize("status", ["in_service", "idle", "disposed"])
def test_patch_cannot_leave_designated_economic(officer, make_asset, status):
    asset = make_asset(use="economic", status="designated_economic")
    history = history_count(asset)
    response = officer.patch(f"{ASSETS}{asset.pk}/", {"status": status}, format="json")
    assert response.status_code == 400
    assert response.json() == {"status": [held_by_workflow("designated_economic")]}
    assert_unchanged(asset, "designated_economic", history)


def test_patch_may_repeat_a_workflow_status_unchanged(officer, make_asset):
    asset = make_asset(use="economic", status="designated_economic")
    response = officer.patch(
        f"{ASSETS}{asset.pk}/", {"status": "designated_economic", "name": "Pasar"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "designated_economic"
    assert response.json()["name"] == "Pasar"


@pytest.mark.parametrize("status", ["underused", "idle", "disposed", "in_service"])
def test_patch_sets_the_register_statuses(officer, make_asset, status):
    asset = make_asset(status="underused" if status == "in_service" else "in_service")
    history = history_count(asset)
    response = officer.patch(f"{ASSETS}{asset.pk}/", {"status": status}, format="json")
    assert response.status_code == 200, response.json()
    asset.refresh_from_db()
    assert asset.status == status
    assert history_count(asset) == history + 1


# --- disposal ------------------------------------------------------------------------------------


def test_disposing_of_an_asset_with_an_active_lease_is_a_conflict(officer, make_asset, manager):
    outlet = leased_outlet(make_asset, manager)
    asset = outlet.asset
    history = history_count(asset)
    response = officer.patch(f"{ASSETS}{asset.pk}/", {"status": "disposed"}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": str(DISPOSAL_WITH_ACTIVE_LEASE)}
    assert_unchanged(asset, "outlet", history)


def test_disposing_of_an_asset_an_outlet_stands_on_is_a_conflict(officer, make_asset, manager):
    asset = make_outlet(make_asset, manager, stalls=()).asset
    # Even if its status was forced back in the database: the outlet is what counts.
    Asset.objects.filter(pk=asset.pk).update(status="idle")
    history = history_count(asset)
    response = officer.patch(f"{ASSETS}{asset.pk}/", {"status": "disposed"}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": str(DISPOSAL_WITH_OUTLET)}
    assert_unchanged(asset, "idle", history)


# --- the import, inserting and updating -----------------------------------------------------


@pytest.mark.parametrize("status", ["designated_economic", "outlet"])
def test_import_cannot_insert_a_workflow_status(officer, status):
    response = import_csv(officer, [("IM-1", "idle"), ("IM-2", status)])
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 2, "field": "status", "message": set_by_workflow(status)}
    ]
    assert Asset.objects.count() == 0
    assert Asset.history.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize("status", ["designated_economic", "outlet"])
def test_import_update_cannot_set_a_workflow_status(officer, make_asset, status):
    asset = make_asset(register_code="IM-1")
    history, events = history_count(asset), AuditEvent.objects.count()
    response = import_csv(officer, [("IM-1", status)], update="true")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 1, "field": "status", "message": set_by_workflow(status)}
    ]
    assert_unchanged(asset, "in_service", history)
    assert AuditEvent.objects.count() == events


def test_import_update_cannot_leave_a_workflow_status(officer, make_asset):
    asset = make_asset(register_code="IM-1", use="economic", status="designated_economic")
    history = history_count(asset)
    response = import_csv(officer, [("IM-1", "in_service")], update="true")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 1, "field": "status", "message": held_by_workflow("designated_economic")}
    ]
    assert_unchanged(asset, "designated_economic", history)


def test_import_update_cannot_dispose_of_an_asset_with_an_outlet(officer, make_asset, manager):
    asset = leased_outlet(make_asset, manager).asset
    Asset.objects.filter(pk=asset.pk).update(status="idle")  # forced past the rules
    history = history_count(asset)
    response = import_csv(officer, [(asset.register_code, "disposed")], update="true")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 1, "field": "status", "message": str(DISPOSAL_WITH_ACTIVE_LEASE)}
    ]
    assert_unchanged(asset, "idle", history)


def test_import_update_sets_register_statuses(officer, make_asset):
    asset = make_asset(register_code="IM-1")
    response = import_csv(officer, [("IM-1", "disposed"), ("IM-2", "idle")], update="true")
    assert response.status_code == 200, response.json()
    asset.refresh_from_db()
    assert asset.status == "disposed"
    assert Asset.objects.get(register_code="IM-2").status == "idle"


# --- opening an outlet ----------------------------------------------------------------------


def test_outlet_needs_an_approved_reclassification_not_just_the_status(client_as, make_asset):
    asset = make_asset(use="economic")
    Asset.objects.filter(pk=asset.pk).update(status="designated_economic")  # forced in the DB
    history = history_count(asset)
    response = client_as(OUTLET_MANAGER).post(
        OUTLETS, {"asset": asset.pk, "name": "Gerai", "opening_hours": "08-21"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"asset": [str(ASSET_NOT_RECLASSIFIED)]}
    assert Outlet.objects.count() == 0
    assert_unchanged(asset, "designated_economic", history)


def test_outlet_opens_on_an_asset_reclassified_by_four_eyes(client_as, make_asset):
    asset = make_asset(use="economic", status="designated_economic")
    response = client_as(OUTLET_MANAGER).post(
        OUTLETS, {"asset": asset.pk, "name": "Gerai", "opening_hours": "08-21"}, format="json"
    )
    assert response.status_code == 201, response.json()
    asset.refresh_from_db()
    assert asset.status == "outlet"
