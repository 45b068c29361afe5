"""The whole chain over the API: designated asset -> outlet + stalls -> round -> applications ->
allocation -> offers -> a lease, as the roles would do it, with nothing but HTTP calls.

The first test starts from an asset with status `designated_economic` (the state an approved
reclassification leaves it in); the second goes through the proposal and its approval first.
"""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from outlets.models import Lease, Offer, Stall
from outlets.services import add_months
from tests.conftest import client_for, decision
from tests.outlets.helpers import make_nik

pytestmark = pytest.mark.django_db


def register(api_client, username, nik, **extra):
    body = {
        "username": username,
        "password": "Stall-pass-2026!",
        "full_name": f"Ibu {username}",
        "nik": nik,
        "phone": "081234567890",
        "business_name": f"Warung {username}",
        "product_category": "culinary",
        "home_kelurahan_code": "32.76.06.1002",
    }
    body.update(extra)
    response = api_client.post("/api/v1/vendors/register/", body, format="json")
    assert response.status_code == 201, response.json()
    client = type(api_client)()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client, response.json()


def test_chain_from_designated_asset_to_lease(make_asset, client_as, api_client):
    # given: an asset designated for economic use, an outlet manager and a planner
    asset = make_asset(use="economic", status="designated_economic")
    manager = client_as("outlet_manager")
    planner = client_as("planner")

    # the manager opens an outlet on it, with two kiosks and a kitchen
    response = manager.post(
        "/api/v1/outlets/",
        {"asset": asset.pk, "name": "Gerai UMKM Beji", "opening_hours": "08:00-21:00"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    outlet = response.json()
    assert outlet["asset"] == asset.pk
    assert outlet["kecamatan_code"] == "32.76.06"
    assert outlet["stalls"] == {"total": 0, "vacant": 0, "offered": 0, "leased": 0}
    asset.refresh_from_db()
    assert asset.status == "outlet"

    stalls = [
        {"code": "K-02", "kind": "kiosk", "area_m2": 6, "monthly_fee": "300000.00"},
        {"code": "K-01", "kind": "kiosk", "area_m2": 6, "monthly_fee": "250000.00"},
        {
            "code": "D-01",
            "kind": "kitchen",
            "area_m2": 12,
            "monthly_fee": "500000.00",
            "has_power": True,
            "has_water": True,
        },
    ]
    response = manager.post(f"/api/v1/outlets/{outlet['id']}/stalls/", stalls, format="json")
    assert response.status_code == 201, response.json()
    assert [s["code"] for s in response.json()] == ["K-02", "K-01", "D-01"]

    # three vendors register: a WUB participant, a woman in the programme, and a non-member
    wub, wub_profile = register(api_client, "wub", make_nik(sequence="0001"), wub_participant=True)
    woman, woman_profile = register(
        api_client, "ibu", make_nik(female=True, sequence="0002"), women_programme=True
    )
    other, _ = register(
        api_client, "lain", make_nik(region="327101", sequence="0003"), home_kelurahan_code=None
    )
    assert wub_profile["nik_masked"] == "3276********0001"

    # the manager checks the programme lists and the KTPs: only verified claims will count
    for profile in (wub_profile, woman_profile):
        response = manager.post(
            f"/api/v1/vendors/{profile['id']}/verify/",
            {
                "claims": ["wub_participant" if profile is wub_profile else "women_programme"],
                "reason": "Daftar peserta 2026",
            },
            format="json",
        )
        assert response.status_code == 200, response.json()

    # the manager creates and opens a round; the commitment is public, the seed is not
    now = timezone.now()
    response = manager.post(
        "/api/v1/rounds/",
        {
            "name": "Putaran 1",
            "outlets": [outlet["id"]],
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(days=7)).isoformat(),
            "lease_months": 24,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    round_id = response.json()["id"]
    response = manager.post(f"/api/v1/rounds/{round_id}/open/")
    assert response.status_code == 200
    commitment = response.json()["seed_commitment"]
    assert response.json()["seed"] is None
    assert len(commitment) == 64

    # vendors see the open round with its groups, and apply
    response = wub.get("/api/v1/rounds/")
    assert [r["id"] for r in response.json()["results"]] == [round_id]
    assert response.json()["results"][0]["groups"] == [
        {
            "outlet": outlet["id"],
            "outlet_name": "Gerai UMKM Beji",
            "kecamatan_code": "32.76.06",
            "stall_kind": "kiosk",
            "stalls": 2,
            "capacity": 2,
        },
        {
            "outlet": outlet["id"],
            "outlet_name": "Gerai UMKM Beji",
            "kecamatan_code": "32.76.06",
            "stall_kind": "kitchen",
            "stalls": 1,
            "capacity": 1,
        },
    ]
    kiosk = {"outlet": outlet["id"], "stall_kind": "kiosk"}
    kitchen = {"outlet": outlet["id"], "stall_kind": "kitchen"}
    for client, choices in ((wub, [kiosk]), (woman, [kiosk, kitchen]), (other, [kiosk])):
        response = client.post(
            f"/api/v1/rounds/{round_id}/applications/", {"choices": choices}, format="json"
        )
        assert response.status_code == 201, response.json()

    # the manager closes and allocates; the seed is revealed and matches the commitment
    assert manager.post(f"/api/v1/rounds/{round_id}/close/").status_code == 200
    response = manager.post(f"/api/v1/rounds/{round_id}/allocate/")
    assert response.status_code == 200, response.json()
    seed = response.json()["seed"]
    assert hashlib.sha256(seed.encode()).hexdigest() == commitment
    assert response.json()["status"] == "allocated"

    # both programme members got kiosks (members first); the best priority got K-01
    results = planner.get(f"/api/v1/rounds/{round_id}/results/").json()
    assert results["seed"] == seed
    kiosk_group = next(g for g in results["groups"] if g["stall_kind"] == "kiosk")
    assert kiosk_group["capacity"] == 2
    assert kiosk_group["assigned"] == 2
    by_vendor = {a["vendor"]: a for a in results["applications"]}
    assert by_vendor[wub_profile["id"]]["assigned"]["stall_kind"] == "kiosk"
    members = [a for a in results["applications"] if a["assigned"] is not None]
    assert len(members) == 2
    best = min(members, key=lambda a: int(a["priority"][0]["lottery"]))
    assert best["assigned"]["stall_code"] == "K-01"
    loser = next(a for a in results["applications"] if a["assigned"] is None)
    assert loser["priority"][0]["programme"] == 1

    # the WUB vendor sees her offer and accepts it: a lease of 24 months at the stall's fee
    mine = wub.get("/api/v1/applications/mine/").json()["results"]
    assert len(mine) == 1
    offer = mine[0]["offer"]
    assert offer["status"] == "open"
    assert mine[0]["assigned"]["stall"] == offer["stall"]
    response = wub.post(f"/api/v1/offers/{offer['id']}/accept/")
    assert response.status_code == 200, response.json()
    lease = response.json()["lease"]
    stall = Stall.objects.get(pk=offer["stall"])
    today = timezone.localdate()
    assert lease["status"] == "active"
    assert lease["start_date"] == today.isoformat()
    assert lease["end_date"] == add_months(today, 24).isoformat()
    assert lease["monthly_fee"] == str(stall.monthly_fee)
    assert stall.status == "leased"

    # the manager sees the lease; the outlet now counts one leased and one offered kiosk
    leases = manager.get("/api/v1/leases/").json()
    assert [item["id"] for item in leases["results"]] == [lease["id"]]
    outlet_now = manager.get(f"/api/v1/outlets/{outlet['id']}/").json()
    assert outlet_now["stalls"] == {"total": 3, "vacant": 1, "offered": 1, "leased": 1}
    assert Lease.objects.count() == 1
    assert Offer.objects.filter(status="open").count() == 1


def test_chain_from_an_approved_reclassification_to_a_lease(
    make_asset, make_user, client_as, api_client
):
    # given: an idle office, proposed for economic use by an officer, reviewed by the managing
    # agency, approved by an approver on the mayor's decree
    asset = make_asset(use="office", status="idle")
    approver_user = make_user("asset_approver")
    officer, approver = client_as("asset_officer"), client_for(approver_user)
    manager = client_as("outlet_manager")
    response = officer.post(
        f"/api/v1/assets/{asset.pk}/reclassifications/",
        {"reason": "Kantor kosong sejak 2024; cocok untuk gerai UMKM."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    reclassification = response.json()["id"]
    # an outlet cannot be opened before the approval
    early = manager.post("/api/v1/outlets/", {"asset": asset.pk, "name": "Gerai"}, format="json")
    assert early.status_code == 400
    assert list(early.json()) == ["asset"]
    response = approver.post(
        f"/api/v1/reclassifications/{reclassification}/approve/",
        {
            "note": "Disetujui.",
            "override_reason": "Diputuskan rapat pimpinan.",
            **decision(reclassification, approver_user),
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    asset.refresh_from_db()
    assert asset.status == "designated_economic"

    # when: outlet, stall, round, one application, allocation, acceptance
    outlet = manager.post(
        "/api/v1/outlets/", {"asset": asset.pk, "name": "Gerai Kantor Lama"}, format="json"
    ).json()
    manager.post(
        f"/api/v1/outlets/{outlet['id']}/stalls/",
        {"code": "B-01", "kind": "booth", "area_m2": 4, "monthly_fee": "150000"},
        format="json",
    )
    vendor, profile = register(api_client, "budi", make_nik(sequence="0077"), wub_participant=True)
    now = timezone.now()
    round_id = manager.post(
        "/api/v1/rounds/",
        {
            "name": "Putaran Kantor Lama",
            "outlets": [outlet["id"]],
            "opens_at": now.isoformat(),
            "closes_at": (now + timedelta(days=3)).isoformat(),
        },
        format="json",
    ).json()["id"]
    manager.post(f"/api/v1/rounds/{round_id}/open/")
    response = vendor.post(
        f"/api/v1/rounds/{round_id}/applications/",
        {"choices": [{"outlet": outlet["id"], "stall_kind": "booth"}]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    manager.post(f"/api/v1/rounds/{round_id}/close/")
    assert manager.post(f"/api/v1/rounds/{round_id}/allocate/").status_code == 200
    offer = vendor.get("/api/v1/applications/mine/").json()["results"][0]["offer"]
    response = vendor.post(f"/api/v1/offers/{offer['id']}/accept/")

    # then: the approved asset now carries an outlet whose stall is leased to the vendor
    assert response.status_code == 200, response.json()
    lease = Lease.objects.get()
    assert (lease.vendor_id, lease.stall.code, lease.status) == (profile["id"], "B-01", "active")
    assert lease.stall.outlet.asset_id == asset.pk
    asset.refresh_from_db()
    assert asset.status == "outlet"
