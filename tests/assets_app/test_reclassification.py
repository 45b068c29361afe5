"""Reclassification services: the database keeps four eyes and one open proposal per asset,
history records every transition, and on PostgreSQL concurrent requests cannot break either."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction

from assets_app.models import Reclassification
from assets_app.services import (
    OPEN_PROPOSAL_EXISTS,
    reclassification_approve,
    reclassification_propose,
    reclassification_reject,
    reclassification_withdraw,
)
from core.errors import Conflict
from core.roles import ASSET_APPROVER, ASSET_OFFICER
from tests.conftest import approve_with_decree, client_for, decision


@pytest.mark.django_db
def test_database_refuses_a_second_open_proposal(make_asset, make_user):
    officer = make_user(ASSET_OFFICER)
    asset = make_asset(use="office")
    first = reclassification_propose(asset=asset, user=officer, reason="r")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reclassification.objects.create(
            asset=asset, reason="again", assessment=first.assessment, proposed_by=officer
        )
    assert Reclassification.objects.count() == 1


@pytest.mark.django_db
def test_database_refuses_a_decision_by_the_proposer(make_asset, make_user):
    officer = make_user(ASSET_OFFICER, ASSET_APPROVER)
    proposal = reclassification_propose(asset=make_asset(use="office"), user=officer, reason="r")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reclassification.objects.filter(pk=proposal.pk).update(decided_by=officer)
    with pytest.raises(PermissionDenied):
        reclassification_approve(reclassification=proposal, user=officer, note="n")
    assert Reclassification.objects.get().decided_by is None


@pytest.mark.django_db
def test_history_keeps_every_transition_with_who_and_when(make_asset, make_user):
    officer, approver = make_user(ASSET_OFFICER), make_user(ASSET_APPROVER)
    asset = make_asset(use="office")
    first = reclassification_propose(asset=asset, user=officer, reason="r")
    reclassification_withdraw(reclassification=first, user=officer)
    second = reclassification_propose(asset=asset, user=officer, reason="r2")
    reclassification_reject(reclassification=second, user=approver, note="not now")
    third = reclassification_propose(asset=asset, user=officer, reason="r3")
    reviewer = make_user(ASSET_OFFICER)
    approve_with_decree(third, reviewer=reviewer, approver=approver, note="yes")
    trail = [
        (h.id, h.status, h.history_user.username)
        for h in Reclassification.history.order_by("history_date", "history_id")
    ]
    assert trail == [
        (first.pk, "proposed", officer.username),
        (first.pk, "withdrawn", officer.username),
        (second.pk, "proposed", officer.username),
        (second.pk, "rejected", approver.username),
        (third.pk, "proposed", officer.username),
        (third.pk, "reviewed", reviewer.username),
        (third.pk, "approved", approver.username),
    ]
    assert all(h.history_date for h in Reclassification.history.all())
    with pytest.raises(Conflict):
        reclassification_propose(asset=asset, user=officer, reason="once more")


def race(n: int, action):
    """Run `action(i)` in n threads released together, each on its own connection."""
    barrier = threading.Barrier(n)

    def run(i):
        try:
            barrier.wait(timeout=30)
            return action(i)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_proposals_make_one(make_asset, make_user):
    officers = [make_user(ASSET_OFFICER) for _ in range(8)]
    asset = make_asset(use="office")
    url = f"/api/v1/assets/{asset.pk}/reclassifications/"

    responses = race(
        8, lambda i: client_for(officers[i]).post(url, {"reason": f"r{i}"}, format="json")
    )

    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 7
    assert {r.json()["detail"] for r in responses if r.status_code == 409} == {
        str(OPEN_PROPOSAL_EXISTS)
    }
    assert Reclassification.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_decisions_decide_once(make_asset, make_user):
    officer = make_user(ASSET_OFFICER)
    approvers = [make_user(ASSET_APPROVER) for _ in range(8)]
    proposal = reclassification_propose(asset=make_asset(use="office"), user=officer, reason="r")
    base = f"/api/v1/reclassifications/{proposal.pk}"
    fields = decision(proposal.pk, approvers[0])

    def decide(i):
        verb = "approve" if i % 2 else "reject"
        body = {"note": f"n{i}", **fields}
        return client_for(approvers[i]).post(f"{base}/{verb}/", body, format="json")

    responses = race(8, decide)

    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * 7
    record = Reclassification.objects.get()
    winner = next(r.json() for r in responses if r.status_code == 200)
    assert record.status == winner["status"]
    assert record.history.count() == 3  # proposed, reviewed, decided
