"""The published schema's constraints agree with what the service validates (#13, item 10).

Schemathesis generates "valid" input from the schema; where the schema says less than the
validation checks, nearly every such request is refused and the fuzz never gets past the first
check. Each test here holds one constraint to the validation it describes: what the service
accepts, the schema accepts; what the schema promises, the service mostly accepts.
"""

from __future__ import annotations

import json
import random
import re
from datetime import date

import jsonschema
import pytest

from api.pagination import MAX_LIMIT, MAX_OFFSET
from api.schema_constraints import NIK_PATTERN, geometry_input_schema, kelurahan_code_pattern
from geodata import boundaries
from outlets import nik
from tests.outlets.helpers import PASSWORD, make_nik

pytestmark = pytest.mark.django_db

SCHEMA_URL = "/api/v1/schema/?format=json"


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        return APIClient().get(SCHEMA_URL).json()


def _component(schema: dict, name: str) -> dict:
    """The named component, with the components beside it so its $refs resolve."""
    return {**schema["components"]["schemas"][name], "components": schema["components"]}


def _parameter(schema: dict, path: str, name: str) -> dict:
    for parameter in schema["paths"][path]["get"]["parameters"]:
        if parameter["name"] == name:
            return parameter["schema"]
    raise AssertionError(f"{name} is not a parameter of GET {path}")


def test_every_nik_the_parser_accepts_matches_the_pattern_and_most_matches_parse():
    rng = random.Random(20261202)
    pattern = re.compile(NIK_PATTERN)
    today = date(2026, 12, 2)
    accepted = matched = matched_and_accepted = 0
    for _ in range(20000):
        text = "".join(rng.choice("0123456789") for _ in range(16))
        # Half of them shaped like a NIK (a province, a date), so both sides are exercised.
        if rng.random() < 0.5:
            born = date(rng.randrange(1940, 2008), rng.randrange(1, 13), rng.randrange(1, 29))
            text = make_nik(
                region=f"32{rng.randrange(1, 80):02d}{rng.randrange(1, 12):02d}",
                born=born,
                female=rng.random() < 0.5,
                sequence=f"{rng.randrange(1, 10000):04d}",
            )
        try:
            nik.nik_parse(text, today=today)
            ok = True
        except nik.NikError:
            ok = False
        hit = pattern.match(text) is not None
        accepted += ok
        matched += hit
        matched_and_accepted += ok and hit
        assert hit or not ok, text  # the schema never refuses a NIK the service accepts
    assert accepted > 5000
    assert matched_and_accepted / matched > 0.9  # what the pattern admits, the parser mostly does


def test_registration_input_refuses_unknown_shapes_as_the_schema_says(schema, client):
    body = _component(schema, "VendorRegisterInputRequest")
    valid = {
        "username": "schema_probe",
        "password": PASSWORD,
        "full_name": "Siti Aminah (synthetic)",
        "nik": make_nik(sequence="4321"),
        "phone": "081234567890",
        "business_name": "Warung Probe",
        "product_category": "culinary",
        "home_kelurahan_code": "32.76.06.1002",
    }
    jsonschema.validate(valid, body)  # the schema admits a registration the service accepts
    assert body["properties"]["password"]["minLength"] == 8
    response = client.post(
        "/api/v1/vendors/register/", json.dumps(valid), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    for field, bad in (
        ("nik", "12345"),
        ("phone", "12-34"),
        ("username", "two words"),
        ("nib", "12"),
        ("password", "Ab1!"),
        ("home_kelurahan_code", "32.76.99.9999"),
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**valid, field: bad}, body)
        refused = client.post(
            "/api/v1/vendors/register/",
            json.dumps({**valid, "username": f"probe_{field}", field: bad}),
            content_type="application/json",
        )
        assert refused.status_code == 400, (field, refused.content)
        assert field in refused.json(), (field, refused.content)


def test_the_kelurahan_pattern_is_exactly_the_citys_kelurahan_or_blank():
    pattern = re.compile(kelurahan_code_pattern())
    codes = [b.code for b in boundaries.kelurahan()]
    assert len(codes) == 63
    assert all(pattern.match(code) for code in codes)
    assert pattern.match("")
    assert not pattern.match("32.76.06")  # a kecamatan
    assert not pattern.match("31.71.01.1001")  # Jakarta


def test_paging_parameters_carry_the_bounds_the_paginator_holds(schema, client_as):
    limit = _parameter(schema, "/api/v1/assets/", "limit")
    offset = _parameter(schema, "/api/v1/assets/", "offset")
    assert (limit["minimum"], limit["maximum"]) == (1, MAX_LIMIT)
    assert (offset["minimum"], offset["maximum"]) == (0, MAX_OFFSET)
    planner = client_as("planner")
    assert planner.get(f"/api/v1/assets/?limit={MAX_LIMIT}").status_code == 200
    assert planner.get(f"/api/v1/assets/?limit={MAX_LIMIT + 1}").status_code == 400
    assert planner.get("/api/v1/assets/?limit=0").status_code == 400


def test_integer_filters_on_foreign_keys_say_integer(schema, client_as):
    asset = _parameter(schema, "/api/v1/reclassifications/", "asset")
    assert (asset["type"], asset["minimum"]) == ("integer", 1)
    response = client_as("planner").get("/api/v1/reclassifications/?asset=1.5")
    assert response.status_code == 400
    assert "asset" in response.json()


def test_bodies_that_refuse_unknown_fields_say_so(schema, client_as):
    for name in ("AssetWriteRequest", "PatchedAssetWriteRequest", "PatchedVendorUpdateRequest"):
        assert _component(schema, name)["additionalProperties"] is False, name
    # and the ones that do not refuse them do not claim to
    assert "additionalProperties" not in _component(schema, "VendorRegisterInputRequest")
    response = client_as("asset_officer").post("/api/v1/assets/", {"surprise": 1}, format="json")
    assert response.status_code == 400
    assert "surprise" in response.json()


def test_the_write_geometry_schema_admits_a_point_in_depok_and_not_one_far_away():
    geometry = geometry_input_schema()
    inside = boundaries.city_outline().representative_point()
    jsonschema.validate({"type": "Point", "coordinates": [inside.x, inside.y]}, geometry)
    for far in ([0.0, 0.0], [106.8, 6.4], [151.2, -33.9]):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"type": "Point", "coordinates": far}, geometry)
    ring = [[106.8, -6.4], [106.81, -6.4], [106.81, -6.39], [106.8, -6.4]]
    jsonschema.validate({"type": "Polygon", "coordinates": [ring]}, geometry)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"type": "Polygon", "coordinates": [ring[:3]]}, geometry)
