"""The OpenAPI schema tells the truth about the outlets area: real responses validate against it."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator

from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor

pytestmark = pytest.mark.django_db


def _json_schema(node):
    """OpenAPI 3.0 -> JSON Schema: `nullable: true` becomes "or null"."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


@pytest.fixture(scope="module")
def schema():
    document = SchemaGenerator().get_schema(request=None, public=True)
    return _json_schema(document)


def check(schema, path, method, status, body):
    operation = schema["paths"][path][method]
    response_schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    # the schema's refs point into the document: inline them (the outlets schemas are acyclic)
    validator = Draft202012Validator(_resolve(schema, response_schema))
    errors = sorted(validator.iter_errors(body), key=lambda e: e.path)
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def _resolve(document, node, depth=0):
    if depth > 30:
        return node
    if isinstance(node, list):
        return [_resolve(document, item, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return _resolve(document, target, depth + 1)
    return {key: _resolve(document, value, depth + 1) for key, value in node.items()}


def test_responses_of_the_whole_chain_match_the_schema(schema, make_asset, make_user, client_as):
    manager = make_user("outlet_manager")
    outlet = make_outlet(make_asset, manager, stalls=(("K-01", "kiosk"), ("D-01", "kitchen")))
    round_ = make_round(manager, [outlet], status="open", women_reserve_share=0.5)
    vendor = make_vendor(women=True)
    apply(vendor, round_, (outlet, "kiosk"), (outlet, "kitchen"))
    apply(make_vendor(kelurahan=None), round_, (outlet, "kiosk"))
    m, v, p = client_as(user=manager), client_as(user=vendor.user), client_as("planner")

    def ok(client, method, path, url, status=200, **kwargs):
        response = getattr(client, method)(url, **kwargs)
        assert response.status_code == status, response.content
        check(schema, path, method, status, response.json())
        return response.json()

    ok(m, "get", "/api/v1/outlets/", "/api/v1/outlets/?near=106.81794,-6.37229&radius=100")
    ok(m, "get", "/api/v1/outlets/{id}/", f"/api/v1/outlets/{outlet.pk}/")
    ok(m, "get", "/api/v1/outlets/{id}/stalls/", f"/api/v1/outlets/{outlet.pk}/stalls/")
    ok(v, "get", "/api/v1/vendors/me/", "/api/v1/vendors/me/")
    ok(v, "get", "/api/v1/rounds/", "/api/v1/rounds/")
    ok(m, "get", "/api/v1/rounds/{id}/", f"/api/v1/rounds/{round_.pk}/")
    ok(v, "get", "/api/v1/applications/mine/", "/api/v1/applications/mine/")
    ok(m, "post", "/api/v1/rounds/{id}/close/", f"/api/v1/rounds/{round_.pk}/close/")
    ok(m, "post", "/api/v1/rounds/{id}/allocate/", f"/api/v1/rounds/{round_.pk}/allocate/")
    ok(p, "get", "/api/v1/rounds/{id}/results/", f"/api/v1/rounds/{round_.pk}/results/")
    mine = ok(v, "get", "/api/v1/applications/mine/", "/api/v1/applications/mine/")
    offer_id = mine["results"][0]["offer"]["id"]
    ok(v, "get", "/api/v1/offers/", "/api/v1/offers/")
    ok(v, "post", "/api/v1/offers/{id}/accept/", f"/api/v1/offers/{offer_id}/accept/")
    leases = ok(m, "get", "/api/v1/leases/", "/api/v1/leases/")
    ok(
        m,
        "post",
        "/api/v1/leases/{id}/terminate/",
        f"/api/v1/leases/{leases['results'][0]['id']}/terminate/",
        data={"reason": "Pindah usaha"},
        format="json",
    )
    other = make_outlet(make_asset, manager, stalls=())
    ok(
        m,
        "post",
        "/api/v1/outlets/{id}/stalls/",
        f"/api/v1/outlets/{other.pk}/stalls/",
        status=201,
        data=[{"code": "A", "kind": "booth", "area_m2": 4, "monthly_fee": 1}],
        format="json",
    )
