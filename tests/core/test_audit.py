"""The audit trail records every historical write with who, when, what and which request."""

import pytest

from assets_app.services import asset_update
from core.context import RequestContext, reset_request, set_request
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_register_and_update_are_audited_with_request_and_changes(make_user, make_asset):
    officer = make_user("asset_officer", username="officer_ani")
    token = set_request(RequestContext("req-0001-abcd", "PATCH", "/api/v1/assets/1/", "10.0.0.7"))
    try:
        asset = make_asset(
            user=officer, name="SD Negeri Beji 1", use="education", facility_type="sd"
        )
        asset_update(asset=asset, user=officer, data={"name": "SD Negeri Beji 01"})
    finally:
        reset_request(token)

    events = list(AuditEvent.objects.filter(object_type="assets_app.asset").order_by("id"))
    assert [e.action for e in events] == ["create", "update"]
    created, updated = events
    assert created.object_id == str(asset.pk)
    assert created.username == "officer_ani"
    assert created.changes["name"] == [None, "SD Negeri Beji 1"]
    assert updated.changes["name"] == ["SD Negeri Beji 1", "SD Negeri Beji 01"]
    # Besides the name, only the stored assessment (written without history) may show up.
    assert set(updated.changes) - {"name", "repurposable", "assessed_at"} == set()
    assert (updated.request_id, updated.method, updated.path, updated.remote_addr) == (
        "req-0001-abcd",
        "PATCH",
        "/api/v1/assets/1/",
        "10.0.0.7",
    )


def test_audit_endpoint_filters_and_roles(make_user, make_asset, client_as, role_clients):
    officer = make_user("asset_officer", username="officer_ani")
    other = make_user("asset_officer", username="officer_budi")
    a = make_asset(user=officer)
    make_asset(user=other)
    client = client_as("planner")

    body = client.get("/api/v1/audit/?user=officer_ani").json()
    assert body["count"] == 1
    assert body["results"][0]["object_id"] == str(a.pk)
    by_object = client.get(f"/api/v1/audit/?object_type=assets_app.asset&object_id={a.pk}").json()
    assert [r["username"] for r in by_object["results"]] == ["officer_ani"]
    assert client.get("/api/v1/audit/?since=2100-01-01T00:00:00Z").json()["count"] == 0
    bad = client.get("/api/v1/audit/?since=yesterday")
    assert bad.status_code == 400
    assert list(bad.json()) == ["since"]

    statuses = {role: c.get("/api/v1/audit/").status_code for role, c in role_clients.items()}
    assert statuses == {
        "anonymous": 401,
        "asset_officer": 200,
        "asset_approver": 200,
        "outlet_manager": 200,
        "planner": 200,
        "programme_staff": 200,
        "vendor": 403,
    }


def test_request_id_header_is_echoed_or_generated(api_client):
    given = api_client.get("/healthz", HTTP_X_REQUEST_ID="trace-12345678")
    assert given["X-Request-ID"] == "trace-12345678"
    generated = api_client.get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert len(generated["X-Request-ID"]) == 32
    assert generated["X-Request-ID"] != "<script>"
