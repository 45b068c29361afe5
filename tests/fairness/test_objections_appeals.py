"""Objections before the draw, appeals after it, the decline penalty (#19), through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEvent
from core.roles import OUTLET_MANAGER, PLANNER
from fairness import services as fairness_services
from fairness.models import Appeal, Objection
from fairness.selectors import remedy_claimant
from outlets import services
from outlets.models import AllocationRound, ClaimVerification, Offer, OfferStatus, Stall
from tests.conftest import client_for, english_client
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(make_asset, make_user):
    """A closed round with a 3-day objection period: one kiosk, two WUB applicants."""
    manager = make_user(OUTLET_MANAGER)
    outlet = make_outlet(make_asset, manager, stalls=(("K-01", "kiosk"), ("B-01", "booth")))
    round_ = make_round(manager, [outlet], status="open", objection_days=3)
    first, second = make_vendor(wub=True), make_vendor(wub=True)
    verify(first, manager, "domicile")
    verify(second, manager)
    apps = [
        apply(first, round_, (outlet, "kiosk"), (outlet, "booth")),
        apply(second, round_, (outlet, "kiosk")),
    ]
    round_ = services.round_close(round_=round_, user=manager)
    return manager, outlet, round_, (first, second), apps


def _end_objection_period(round_):
    AllocationRound.objects.filter(pk=round_.pk).update(
        closed_at=timezone.now() - timedelta(days=round_.objection_days, seconds=1)
    )


def test_the_applicant_sees_her_facts(closed):
    _, _, _, (first, _), (app, _) = closed
    response = client_for(first.user).get(f"/api/v1/applications/{app.pk}/facts/")
    assert response.status_code == 200
    assert response.json() == {
        "application": app.pk,
        "round": app.round_id,
        "facts": [
            {"fact": "wub_participant", "claimed": True, "verified": False},
            {"fact": "women_programme", "claimed": False, "verified": False},
            {"fact": "domicile", "claimed": True, "verified": True},
        ],
        "domicile_kecamatan": "32.76.06",
    }
    other = make_vendor()
    assert client_for(other.user).get(f"/api/v1/applications/{app.pk}/facts/").status_code == 404


def test_allocation_is_a_409_with_an_open_objection_and_runs_after_the_decision(closed):
    manager, _, round_, (first, _), (app, _) = closed
    vendor_client, manager_client = client_for(first.user), client_for(manager)

    # during the period: allocation waits for it
    allocate = f"/api/v1/rounds/{round_.pk}/allocate/"
    assert manager_client.post(allocate).json() == {
        "detail": str(fairness_services.OBJECTION_PERIOD_RUNNING)
    }
    objected = vendor_client.post(
        "/api/v1/objections/",
        {"application": app.pk, "fact": "wub_participant", "statement": "I am in WUB 2025."},
        format="json",
    )
    assert objected.status_code == 201
    objection_id = objected.json()["id"]
    _end_objection_period(round_)

    # when: the period is over but the objection is open
    refused = manager_client.post(allocate)

    # then
    assert refused.status_code == 409
    assert refused.json() == {"detail": str(fairness_services.OBJECTIONS_OPEN)}
    round_.refresh_from_db()
    assert round_.status == "closed"
    assert Offer.objects.count() == 0

    decided = manager_client.post(
        f"/api/v1/objections/{objection_id}/decide/",
        {"decision": "upheld", "reason": "Found on the 2025 cohort list."},
        format="json",
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "upheld"
    # upholding verified the claim: she now counts as a member
    live = ClaimVerification.objects.get(vendor=first, claim="wub_participant", revoked_at=None)
    assert live.reason == f"Objection {objection_id} upheld: Found on the 2025 cohort list."

    assert manager_client.post(allocate).status_code == 200
    events = AuditEvent.objects.filter(object_type="fairness.objection", object_id=objection_id)
    assert [(e.action, e.changes.get("status")) for e in events.order_by("pk")] == [
        ("create", [None, "open"]),
        ("update", ["open", "upheld"]),
    ]
    app.refresh_from_db()
    assert app.claims["wub_participant"] == {"claimed": True, "verified": True}


def test_objections_are_refused_outside_the_period_and_bad_input_is_a_400(closed):
    manager, _, round_, (first, second), (app, other_app) = closed
    client = client_for(first.user)
    url = "/api/v1/objections/"
    good = {"application": app.pk, "fact": "domicile", "statement": "x"}
    for body, field in [
        ({**good, "fact": "height"}, "fact"),
        ({**good, "statement": ""}, "statement"),
        ({**good, "application": "abc"}, "application"),
        ({**good, "application": 10**30}, "application"),
        ({**good, "extra": 1}, "extra"),
        ({**good, "statement": {"nested": [1]}}, "statement"),
    ]:
        response = client.post(url, body, format="json")
        assert response.status_code == 400, body
        assert list(response.json()) == [field]
    assert client.post(url, {**good, "application": other_app.pk}, format="json").status_code == 404
    _end_objection_period(round_)
    late = client.post(url, good, format="json")
    assert late.status_code == 409
    assert late.json() == {"detail": str(fairness_services.OBJECTION_PERIOD_CLOSED)}
    assert Objection.objects.count() == 0


def test_only_a_manager_of_the_round_decides(closed, make_user):
    manager, _, round_, (first, _), (app, _) = closed
    objection = fairness_services.objection_create(
        user=first.user, application=app, fact="domicile", statement="My KTP says Beji."
    )
    url = f"/api/v1/objections/{objection.pk}/decide/"
    body = {"decision": "rejected", "reason": "The KTP shows Cilodong."}
    assert client_for(make_user(OUTLET_MANAGER)).post(url, body, format="json").status_code == 404
    assert client_for(make_user(PLANNER)).post(url, body, format="json").status_code == 403
    assert client_for(first.user).post(url, body, format="json").status_code == 403
    assert english_client().post(url, body, format="json").status_code == 401
    bad = client_for(manager).post(url, {"decision": "upheld", "reason": " "}, format="json")
    assert (bad.status_code, list(bad.json())) == (400, ["reason"])
    assert client_for(manager).post(url, body, format="json").status_code == 200
    again = client_for(manager).post(url, body, format="json")
    assert again.status_code == 409
    objection.refresh_from_db()
    assert (objection.status, objection.decision_reason) == ("rejected", body["reason"])
    # the vendor sees hers, another vendor none
    mine = client_for(first.user).get("/api/v1/objections/").json()["results"]
    assert [(o["id"], o["status"]) for o in mine] == [(objection.pk, "rejected")]
    assert client_for(make_vendor().user).get("/api/v1/objections/").json()["results"] == []


def _allocated(closed):
    manager, outlet, round_, vendors, apps = closed
    _end_objection_period(round_)
    round_ = services.round_allocate(round_=round_, user=manager)
    return manager, outlet, round_, vendors, apps


def test_an_upheld_appeal_gets_the_first_vacancy_above_her_result_without_taking_a_stall(closed):
    manager, outlet, round_, (first, second), (app_first, app_second) = _allocated(closed)
    # first had no verified WUB claim: second took the kiosk, first got her booth (choice 2)
    assert Offer.objects.get(application=app_second).stall.kind == "kiosk"
    assert Offer.objects.get(application=app_first).choice_rank == 2
    client = client_for(first.user)
    appealed = client.post(
        "/api/v1/appeals/",
        {"application": app_first.pk, "statement": "My WUB claim was never checked."},
        format="json",
    )
    assert appealed.status_code == 201
    again = client.post(
        "/api/v1/appeals/", {"application": app_first.pk, "statement": "Again."}, format="json"
    )
    assert again.status_code == 409
    kiosk = Stall.objects.get(outlet=outlet, kind="kiosk")
    booth = Stall.objects.get(outlet=outlet, kind="booth")
    assert remedy_claimant(kiosk) is None  # not upheld yet

    decided = client_for(manager).post(
        f"/api/v1/appeals/{appealed.json()['id']}/decide/",
        {"decision": "upheld", "reason": "She was on the WUB list."},
        format="json",
    )

    assert decided.status_code == 200
    # nobody's stall is taken: the kiosk stays offered to second
    assert Offer.objects.get(application=app_second).status == OfferStatus.OPEN
    # a kiosk (ranked above her booth) is hers when one falls vacant; a booth is not
    assert remedy_claimant(kiosk).pk == app_first.pk
    assert remedy_claimant(booth) is None
    events = AuditEvent.objects.filter(object_type="fairness.appeal")
    statuses = [e.changes.get("status") for e in events.order_by("pk")]
    assert statuses == [[None, "open"], ["open", "upheld"]]
    public = english_client().get(f"/api/v1/public/rounds/{round_.pk}/").json()
    assert public["appeals"] == {"open": 0, "upheld": 1, "rejected": 0}


def test_appeals_close_after_the_appeal_days(closed):
    _, _, round_, (first, _), (app_first, _) = _allocated(closed)
    AllocationRound.objects.filter(pk=round_.pk).update(
        allocated_at=timezone.now() - timedelta(days=14, seconds=1)
    )
    late = client_for(first.user).post(
        "/api/v1/appeals/", {"application": app_first.pk, "statement": "Late."}, format="json"
    )
    assert late.status_code == 409
    assert late.json() == {"detail": str(fairness_services.APPEAL_PERIOD_CLOSED)}
    assert Appeal.objects.count() == 0


def test_a_vendor_who_declined_counts_as_a_non_member_in_the_next_penalty_round_only(
    make_asset, make_user
):
    manager = make_user(OUTLET_MANAGER)
    outlet = make_outlet(make_asset, manager)
    decliner, other = make_vendor(wub=True), make_vendor()
    verify(decliner, manager)
    verify(other, manager)
    first_round = make_round(manager, [outlet], status="open")
    app = apply(decliner, first_round, (outlet, "kiosk"))
    services.round_close(round_=first_round, user=manager)
    services.round_allocate(round_=first_round, user=manager)
    offer = Offer.objects.get(application=app)
    services.offer_decline(offer=offer, user=decliner.user)

    def run(penalty: bool):
        round_ = make_round(manager, [outlet], status="open", decline_penalty=penalty)
        apps = [apply(v, round_, (outlet, "kiosk")) for v in (decliner, other)]
        services.round_close(round_=round_, user=manager)
        services.round_allocate(round_=round_, user=manager)
        public = english_client().get(f"/api/v1/public/rounds/{round_.pk}/").json()
        rows = {a["id"]: a for a in public["applications"]}
        return [(rows[a.pk]["programme"], rows[a.pk]["decline_penalty"]) for a in apps], apps

    # without the penalty she is a member (tier 0); with it, a non-member once
    without, apps = run(False)
    assert without == [(0, False), (1, False)]
    Offer.objects.filter(application__in=apps, status=OfferStatus.OPEN).update(
        status=OfferStatus.DECLINED, decided_at=timezone.now() - timedelta(days=400)
    )
    Stall.objects.update(status="vacant")
    penalised, apps = run(True)
    assert penalised == [(1, True), (1, False)]
    Offer.objects.filter(application__in=apps, status=OfferStatus.OPEN).update(
        status=OfferStatus.ACCEPTED
    )
    Stall.objects.update(status="vacant")
    served, _ = run(True)
    assert served == [(0, False), (1, False)]


def test_a_round_publishes_its_periods_and_penalty_and_refuses_bad_ones(make_asset, make_user):
    manager = make_user(OUTLET_MANAGER)
    outlet = make_outlet(make_asset, manager)
    now = timezone.now()
    body = {
        "name": "Putaran adil",
        "outlets": [outlet.pk],
        "opens_at": now.isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
    }
    client = client_for(manager)
    for extra, field in [
        ({"objection_days": 31}, "objection_days"),
        ({"objection_days": -1}, "objection_days"),
        ({"appeal_days": 61}, "appeal_days"),
        ({"appeal_days": "x"}, "appeal_days"),
        ({"decline_penalty": "maybe"}, "decline_penalty"),
    ]:
        response = client.post("/api/v1/rounds/", {**body, **extra}, format="json")
        assert response.status_code == 400, extra
        assert list(response.json()) == [field]
    assert AllocationRound.objects.count() == 0

    created = client.post(
        "/api/v1/rounds/",
        {**body, "objection_days": 5, "appeal_days": 0, "decline_penalty": True},
        format="json",
    )

    assert created.status_code == 201
    got = created.json()
    assert (got["objection_days"], got["appeal_days"], got["decline_penalty"]) == (5, 0, True)
