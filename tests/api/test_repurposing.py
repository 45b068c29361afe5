"""Repurposing over HTTP: the assessment endpoint and the four-eyes reclassification workflow."""

import pytest
from django.core.management import call_command

from assets_app.models import Asset, Reclassification
from assets_app.services import (
    ASSET_NOT_ELIGIBLE,
    ONLY_PROPOSER_WITHDRAWS,
    OPEN_PROPOSAL_EXISTS,
    OVERRIDE_REQUIRED,
    PROPOSER_CANNOT_DECIDE,
)
from core.roles import ASSET_APPROVER, ASSET_OFFICER, STAFF_ROLES
from tests.conftest import BEJI_POINT, DECREE_FIELDS, decision

pytestmark = pytest.mark.django_db


ASSESSMENT_KEYS = {
    "asset",
    "repurposable",
    "assessed_at",
    "population_source",
    "checks",
    "coverage",
}


@pytest.fixture
def officer(make_user):
    return make_user(ASSET_OFFICER, username="officer_ani")


@pytest.fixture
def approver(make_user):
    return make_user(ASSET_APPROVER, username="approver_budi")


@pytest.fixture
def as_user():
    from tests.conftest import client_for

    return client_for


@pytest.fixture
def office(make_asset):
    """Passes every check: an office in good condition on 500 m²."""
    return make_asset(use="office", name="Former district office")


@pytest.fixture
def lone_sd(make_asset):
    """Fails coverage and capacity: the only SD in Depok."""
    return make_asset(use="education", facility_type="sd", lon=BEJI_POINT[0], lat=BEJI_POINT[1])


def propose(client, asset, reason="Empty since the merger; suits a UMKM outlet."):
    return client.post(
        f"/api/v1/assets/{asset.pk}/reclassifications/", {"reason": reason}, format="json"
    )


# --- assessment -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_read_the_assessment(client_as, lone_sd, role):
    response = client_as(role).get(f"/api/v1/assets/{lone_sd.pk}/assessment/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == ASSESSMENT_KEYS
    assert body["asset"] == lone_sd.pk
    assert body["repurposable"] is False
    assert [c["rule"] for c in body["checks"]] == [
        "status",
        "condition",
        "land_area",
        "coverage",
        "capacity",
    ]
    assert [c["passed"] for c in body["checks"]] == [True, True, True, False, False]
    assert body["coverage"]["facility_type"] == "sd"
    assert body["coverage"]["radius_m"] == 1000.0
    assert body["coverage"]["newly_uncovered_population"] == body["coverage"]["covered_population"]
    assert "EPSG:32748" in body["coverage"]["method"]
    assert body["population_source"].startswith(
        "BPS Kota Depok, Sensus Penduduk 2020 (city total 2,056,335)"
    )
    lone_sd.refresh_from_db()
    assert lone_sd.repurposable is False
    assert lone_sd.assessed_at is not None


def test_assessment_read_answers_and_the_daily_command_stores_the_answer(client_as, office):
    # A GET writes nothing (#14): the stored flag is the scheduled re-assessment's to refresh.
    Asset.objects.filter(pk=office.pk).update(repurposable=None, assessed_at=None)
    response = client_as("planner").get(f"/api/v1/assets/{office.pk}/assessment/")
    assert response.json()["repurposable"] is True
    office.refresh_from_db()
    assert (office.repurposable, office.assessed_at) == (None, None)
    call_command("assess_assets")
    office.refresh_from_db()
    assert office.repurposable is True
    assert office.assessed_at is not None


def test_assessment_access(role_clients, office):
    path = f"/api/v1/assets/{office.pk}/assessment/"
    assert role_clients["anonymous"].get(path).status_code == 401
    assert role_clients["vendor"].get(path).status_code == 403
    assert role_clients["planner"].get("/api/v1/assets/999999/assessment/").status_code == 404


# --- propose --------------------------------------------------------------------------------


def test_officer_proposes_with_the_assessment_snapshot(as_user, officer, office):
    response = propose(as_user(officer), office)
    assert response.status_code == 201
    body = response.json()
    record = Reclassification.objects.get()
    assert body["id"] == record.pk
    assert body["status"] == "proposed"
    assert body["asset"] == office.pk
    assert body["proposed_by"] == "officer_ani"
    assert body["decided_by"] is None
    assert body["reason"] == "Empty since the merger; suits a UMKM outlet."
    assert set(body["assessment"]) == ASSESSMENT_KEYS
    assert body["assessment"]["repurposable"] is True
    assert record.assessment == body["assessment"]
    assert body["previous_use"] == "office"
    assert [t["status"] for t in body["transitions"]] == ["proposed"]
    assert body["transitions"][0]["by"] == "officer_ani"


def test_second_open_proposal_is_409(as_user, officer, make_user, office):
    assert propose(as_user(officer), office).status_code == 201
    response = propose(as_user(make_user(ASSET_OFFICER)), office)
    assert response.status_code == 409
    assert response.json() == {"detail": str(OPEN_PROPOSAL_EXISTS)}
    assert Reclassification.objects.count() == 1


def test_reason_is_required(as_user, officer, office):
    for payload in ({}, {"reason": ""}, {"reason": "   "}):
        response = as_user(officer).post(
            f"/api/v1/assets/{office.pk}/reclassifications/", payload, format="json"
        )
        assert response.status_code == 400
        assert list(response.json()) == ["reason"]
    assert Reclassification.objects.count() == 0


@pytest.mark.parametrize("role", ["planner", "vendor", "asset_approver", "outlet_manager"])
def test_only_officers_propose(client_as, office, role):
    assert propose(client_as(role), office).status_code == 403
    assert Reclassification.objects.count() == 0


def test_anonymous_cannot_propose(api_client, office):
    assert propose(api_client, office).status_code == 401
    assert Reclassification.objects.count() == 0


def test_proposing_for_an_unknown_asset_is_404(as_user, officer):
    response = as_user(officer).post(
        "/api/v1/assets/999999/reclassifications/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 404


def test_an_asset_already_economic_cannot_be_proposed(as_user, officer, make_asset):
    market = make_asset(use="economic", status="designated_economic")  # approved once
    response = propose(as_user(officer), market)
    assert response.status_code == 409
    assert response.json() == {"detail": str(ASSET_NOT_ELIGIBLE)}
    assert Reclassification.objects.filter(asset=market).count() == 1


# --- decide ---------------------------------------------------------------------------------


def test_approver_approves_and_the_asset_moves_to_economic_use(as_user, officer, approver, office):
    rec = propose(as_user(officer), office).json()
    fields = decision(rec["id"], approver)
    response = as_user(approver).post(
        f"/api/v1/reclassifications/{rec['id']}/approve/",
        {"note": "Agreed at the 3 March meeting.", **fields},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "approved"
    assert body["decided_by"] == "approver_budi"
    assert (body["from_agency"], body["to_agency"]) == ("BKD", "DKUM")
    assert body["decision_note"] == "Agreed at the 3 March meeting."
    assert body["override_reason"] == ""
    assert body["decision_assessment"]["repurposable"] is True
    assert [(t["status"], t["by"]) for t in body["transitions"]] == [
        ("proposed", "officer_ani"),
        ("reviewed", f"reviewer_{rec['id']}"),
        ("approved", "approver_budi"),
    ]
    office.refresh_from_db()
    assert office.custodian_agency_id == "DKUM"
    assert (office.use, office.status, office.facility_type) == (
        "economic",
        "designated_economic",
        "",
    )
    assert (office.previous_use, office.previous_facility_type) == ("office", "")
    assert office.repurposable is False  # designated already: the status check fails now
    assert office.history.first().history_user.username == "approver_budi"


def test_approving_a_failing_assessment_needs_an_override_reason(
    as_user, officer, approver, lone_sd
):
    rec = propose(as_user(officer), lone_sd).json()
    assert rec["assessment"]["repurposable"] is False
    path = f"/api/v1/reclassifications/{rec['id']}/approve/"
    fields = decision(rec["id"], approver)
    # when: no override reason
    response = as_user(approver).post(path, {"note": "ok", **fields}, format="json")
    # then
    assert response.status_code == 400
    assert response.json() == {
        "override_reason": [str(OVERRIDE_REQUIRED).format(rules="coverage, capacity")]
    }
    assert Reclassification.objects.get().status == "reviewed"
    lone_sd.refresh_from_db()
    assert (lone_sd.use, lone_sd.facility_type, lone_sd.status) == ("education", "sd", "in_service")
    # when: with one
    response = as_user(approver).post(
        path,
        {"note": "ok", "override_reason": "School merged into SDN Beji 2 next term.", **fields},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["override_reason"] == "School merged into SDN Beji 2 next term."
    lone_sd.refresh_from_db()
    assert (lone_sd.use, lone_sd.facility_type, lone_sd.status) == (
        "economic",
        "",
        "designated_economic",
    )
    assert (lone_sd.previous_use, lone_sd.previous_facility_type) == ("education", "sd")
    record = Reclassification.objects.get()
    assert (record.previous_use, record.previous_facility_type) == ("education", "sd")


def test_the_proposer_cannot_approve_even_holding_both_roles(as_user, make_user, office):
    both = make_user(ASSET_OFFICER, ASSET_APPROVER)
    rec = propose(as_user(both), office).json()
    for verb in ("approve", "reject"):
        response = as_user(both).post(
            f"/api/v1/reclassifications/{rec['id']}/{verb}/",
            {"note": "mine", "override_reason": "x", **DECREE_FIELDS, "decree_document": 1},
            format="json",
        )
        assert response.status_code == 403
        assert response.json() == {"detail": str(PROPOSER_CANNOT_DECIDE)}
    assert Reclassification.objects.get().status == "proposed"
    office.refresh_from_db()
    assert office.use == "office"


@pytest.mark.parametrize("role", ["asset_officer", "planner", "vendor", "outlet_manager"])
@pytest.mark.parametrize("verb", ["approve", "reject"])
def test_only_approvers_decide(as_user, client_as, officer, office, role, verb):
    rec = propose(as_user(officer), office).json()
    response = client_as(role).post(
        f"/api/v1/reclassifications/{rec['id']}/{verb}/", {"note": "n"}, format="json"
    )
    assert response.status_code == 403
    assert Reclassification.objects.get().status == "proposed"


def test_reject_needs_a_note_and_keeps_the_asset(as_user, officer, approver, office):
    rec = propose(as_user(officer), office).json()
    path = f"/api/v1/reclassifications/{rec['id']}/reject/"
    response = as_user(approver).post(path, {"note": ""}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["note"]
    response = as_user(approver).post(
        path, {"note": "Keep it for the sub-district office."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["decided_by"] == "approver_budi"
    office.refresh_from_db()
    assert (office.use, office.status) == ("office", "in_service")


def test_decided_proposals_cannot_be_decided_again(as_user, officer, approver, make_user, office):
    rec = propose(as_user(officer), office).json()
    base = f"/api/v1/reclassifications/{rec['id']}"
    assert (
        as_user(approver).post(f"{base}/reject/", {"note": "no"}, format="json").status_code == 200
    )
    other = as_user(make_user(ASSET_APPROVER))
    for verb in ("approve", "reject"):
        response = other.post(
            f"{base}/{verb}/",
            {"note": "again", **DECREE_FIELDS, "decree_document": 1},
            format="json",
        )
        assert response.status_code == 409
        assert response.json() == {
            "detail": "This reclassification is no longer open: it was rejected."
        }
    assert as_user(officer).post(f"{base}/withdraw/", {}, format="json").status_code == 409
    assert Reclassification.objects.get().status == "rejected"


def test_a_new_proposal_is_possible_after_a_rejection(as_user, officer, approver, office):
    rec = propose(as_user(officer), office).json()
    as_user(approver).post(
        f"/api/v1/reclassifications/{rec['id']}/reject/", {"note": "no"}, format="json"
    )
    assert propose(as_user(officer), office).status_code == 201
    assert Reclassification.objects.count() == 2


def test_the_proposer_withdraws(as_user, officer, make_user, office):
    rec = propose(as_user(officer), office).json()
    path = f"/api/v1/reclassifications/{rec['id']}/withdraw/"
    response = as_user(make_user(ASSET_OFFICER)).post(path, {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": str(ONLY_PROPOSER_WITHDRAWS)}
    response = as_user(officer).post(path, {"note": "Wrong asset."}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "withdrawn"
    assert body["decided_by"] is None
    assert [t["status"] for t in body["transitions"]] == ["proposed", "withdrawn"]
    assert propose(as_user(officer), office).status_code == 201


def test_decision_on_an_unknown_reclassification_is_404(as_user, approver):
    response = as_user(approver).post(
        "/api/v1/reclassifications/999999/approve/",
        {"note": "n", **DECREE_FIELDS, "decree_document": 1},
        format="json",
    )
    assert response.status_code == 404


# --- list and detail ------------------------------------------------------------------------


def test_list_filters_by_status(as_user, client_as, officer, approver, make_asset):
    a, b, c = (make_asset(use="office") for _ in range(3))
    ids = [propose(as_user(officer), asset).json()["id"] for asset in (a, b, c)]
    as_user(approver).post(
        f"/api/v1/reclassifications/{ids[0]}/approve/",
        {"note": "ok", **decision(ids[0], approver)},
        format="json",
    )
    as_user(approver).post(
        f"/api/v1/reclassifications/{ids[1]}/reject/", {"note": "no"}, format="json"
    )
    planner = client_as("planner")
    everything = planner.get("/api/v1/reclassifications/").json()
    assert everything["count"] == 3
    assert [r["id"] for r in everything["results"]] == sorted(ids, reverse=True)
    for state, expected in (
        ("approved", [ids[0]]),
        ("rejected", [ids[1]]),
        ("proposed", [ids[2]]),
        ("withdrawn", []),
    ):
        body = planner.get(f"/api/v1/reclassifications/?status={state}").json()
        assert [r["id"] for r in body["results"]] == expected
    assert [
        r["id"] for r in planner.get(f"/api/v1/reclassifications/?asset={b.pk}").json()["results"]
    ] == [ids[1]]
    bad = planner.get("/api/v1/reclassifications/?status=maybe")
    assert bad.status_code == 400
    assert list(bad.json()) == ["status"]
    detail = planner.get(f"/api/v1/reclassifications/{ids[0]}/").json()
    assert [t["status"] for t in detail["transitions"]] == ["proposed", "reviewed", "approved"]


def test_list_access(role_clients):
    assert role_clients["anonymous"].get("/api/v1/reclassifications/").status_code == 401
    assert role_clients["vendor"].get("/api/v1/reclassifications/").status_code == 403
    for role in STAFF_ROLES:
        assert role_clients[role].get("/api/v1/reclassifications/").status_code == 200
