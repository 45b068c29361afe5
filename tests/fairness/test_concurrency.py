"""Races on PostgreSQL (#19): twenty threads appealing one result make one appeal, twenty
deciding one objection make one decision; the rest are 409s, never a 500 or a second row."""

import pytest

from core.models import AuditEvent
from fairness import services as fairness_services
from fairness.models import Appeal
from outlets import services
from tests.conftest import client_for
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor
from tests.outlets.test_concurrency import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
THREADS = 20


def test_twenty_threads_appealing_one_result_make_one_appeal(make_asset, make_user):
    manager = make_user("outlet_manager")
    outlet = make_outlet(make_asset, manager)
    round_ = make_round(manager, [outlet], status="open")
    vendor = make_vendor()
    application = apply(vendor, round_, (outlet, "kiosk"))
    services.round_close(round_=round_, user=manager)
    services.round_allocate(round_=round_, user=manager)
    body = {"application": application.pk, "statement": "Please check again."}

    responses = race(
        THREADS, lambda i: client_for(vendor.user).post("/api/v1/appeals/", body, format="json")
    )

    assert sorted(r.status_code for r in responses) == [201] + [409] * (THREADS - 1)
    assert Appeal.objects.count() == 1
    assert Appeal.history.count() == 1


def test_twenty_threads_deciding_one_objection_make_one_decision(make_asset, make_user):
    manager = make_user("outlet_manager")
    outlet = make_outlet(make_asset, manager)
    round_ = make_round(manager, [outlet], status="open", objection_days=2)
    vendor = make_vendor()
    application = apply(vendor, round_, (outlet, "kiosk"))
    services.round_close(round_=round_, user=manager)
    objection = fairness_services.objection_create(
        user=vendor.user, application=application, fact="domicile", statement="Beji."
    )
    url = f"/api/v1/objections/{objection.pk}/decide/"

    def decide(i):
        body = {"decision": "upheld" if i % 2 else "rejected", "reason": f"Decision {i}"}
        return client_for(manager).post(url, body, format="json")

    responses = race(THREADS, decide)

    assert sorted(r.status_code for r in responses) == [200] + [409] * (THREADS - 1)
    winner = next(r.json() for r in responses if r.status_code == 200)
    objection.refresh_from_db()
    assert (objection.status, objection.decision_reason) == (
        winner["status"], winner["decision_reason"],
    )  # fmt: skip
    updates = AuditEvent.objects.filter(
        object_type="fairness.objection", object_id=str(objection.pk), action="update"
    )
    assert updates.count() == 1
