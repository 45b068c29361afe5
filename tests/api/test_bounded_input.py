"""Bounded input: body sizes, JSON depth, numbers within what the columns hold, geometry sizes,
unknown formats. Each was a 500 (or a silent acceptance) before; now a 4xx naming what is wrong,
with nothing written."""

import json
import math
from urllib.parse import urlencode

import django_filters
import pytest
from django.db.backends.base.operations import BaseDatabaseOperations
from django.urls import get_resolver

from api.fields import MAX_ID, NOT_FINITE
from api.negotiation import UNKNOWN_FORMAT
from api.pagination import MAX_OFFSET, OUT_OF_RANGE
from api.parsers import JSON_TOO_DEEP, MAX_DEPTH
from assets_app.models import Asset, Reclassification
from core.middleware import BODY_TOO_LARGE, LENGTH_REQUIRED
from geodata.spatial import MAX_PARTS, MAX_VERTICES, TOO_MANY_PARTS, TOO_MANY_VERTICES
from tests.conftest import BEJI_POINT

pytestmark = pytest.mark.django_db

ASSETS = "/api/v1/assets/"


def asset_body(**fields) -> dict:
    body = {
        "register_code": "KIB-A-1",
        "name": "Lahan",
        "category": "land",
        "use": "vacant",
        "geometry": {"type": "Point", "coordinates": list(BEJI_POINT)},
    }
    body.update(fields)
    return body


def post_json(client, text: str | bytes, url: str = ASSETS):
    return client.generic("POST", url, text, content_type="application/json")


def circle(vertices: int, radius: float = 0.002) -> list:
    """A closed ring of `vertices` positions (the last repeats the first) around Beji."""
    lon, lat = BEJI_POINT
    ring = [
        [
            round(lon + radius * math.cos(2 * math.pi * i / (vertices - 1)), 7),
            round(lat + radius * math.sin(2 * math.pi * i / (vertices - 1)), 7),
        ]
        for i in range(vertices - 1)
    ]
    return [*ring, ring[0]]


def squares(count: int, size: float = 0.0001) -> list:
    """`count` disjoint small squares near Beji, as MultiPolygon coordinates."""
    lon, lat = BEJI_POINT
    parts = []
    for i in range(count):
        x, y = lon + (i % 25) * 2 * size, lat + (i // 25) * 2 * size
        ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
        parts.append([[[round(a, 7), round(b, 7)] for a, b in ring]])
    return parts


# --- request bodies ---------------------------------------------------------------------------


def test_a_json_body_over_the_limit_is_a_413_before_it_is_read(client_as, settings):
    settings.API_MAX_JSON_BYTES = 1000
    body = json.dumps(asset_body(address="x" * 1000))

    response = post_json(client_as("asset_officer"), body)

    assert response.status_code == 413
    assert response.json() == {"detail": BODY_TOO_LARGE % {"limit": 1000}}
    assert Asset.objects.count() == 0


def test_the_default_json_limit_is_two_mebibytes(client_as):
    body = json.dumps(asset_body(address="x" * (2 * 1024 * 1024)))

    response = post_json(client_as("asset_officer"), body)

    assert response.status_code == 413
    assert response.json() == {"detail": BODY_TOO_LARGE % {"limit": 2 * 1024 * 1024}}
    assert Asset.objects.count() == 0


def test_an_upload_has_its_own_limit(client_as, settings):
    settings.API_MAX_JSON_BYTES = 1000
    settings.API_MAX_UPLOAD_BYTES = 5000
    officer = client_as("asset_officer")
    csv = b"register_code,name,category,use,lon,lat\n" + b"KIB-1,Lahan,land,vacant,1,1\n" * 200

    too_large = officer.post(f"{ASSETS}import/", {"file": _upload(csv)}, format="multipart")
    within = officer.post(f"{ASSETS}import/", {"file": _upload(csv[:2000])}, format="multipart")

    assert too_large.status_code == 413
    assert too_large.json() == {"detail": BODY_TOO_LARGE % {"limit": 5000}}
    assert within.status_code == 400  # read: every row lies outside Depok
    assert Asset.objects.count() == 0


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("assets.csv", content, content_type="text/csv")


def test_a_body_over_the_limit_outside_the_api_is_a_plain_413(client, settings):
    settings.API_MAX_JSON_BYTES = 1000

    form = urlencode({"username": "x" * 2000, "password": "y"})

    response = client.post(
        "/accounts/login/", form, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == BODY_TOO_LARGE % {"limit": 1000}


def test_a_body_without_a_length_is_a_411(client_as):
    # Django reads no more than Content-Length: a chunked body would arrive empty.
    response = client_as("asset_officer").generic(
        "POST", ASSETS, b"", content_type="application/json", HTTP_TRANSFER_ENCODING="chunked"
    )

    assert response.status_code == 411
    assert response.json() == {"detail": str(LENGTH_REQUIRED)}
    assert Asset.objects.count() == 0


# --- JSON -------------------------------------------------------------------------------------


def test_json_nested_too_deeply_is_a_400(client_as):
    officer = client_as("asset_officer")
    deep = ["[" * (depth - 1) + "]" * (depth - 1) for depth in (MAX_DEPTH + 1, 5000)]
    # As deep as allowed, and brackets in a string are text, not nesting.
    shallow = '{"address": "' + "[{" * 100 + '", "name": ' + "[" * 63 + "]" * 63 + "}"

    responses = [post_json(officer, '{"name": ' + nested + "}") for nested in deep]
    read = post_json(officer, shallow)

    for response in responses:
        assert response.status_code == 400
        assert response.json() == {"detail": JSON_TOO_DEEP % {"limit": MAX_DEPTH}}
    assert read.status_code == 400
    assert read.json()["name"] == ["Not a valid string."]
    assert Asset.objects.count() == 0


def test_a_json_number_beyond_a_double_is_a_400_naming_its_field(client_as):
    body = json.dumps(asset_body()).replace('"name"', '"land_area_m2": 1e309, "name"')

    response = post_json(client_as("asset_officer"), body)

    assert response.status_code == 400
    assert response.json() == {"land_area_m2": [str(NOT_FINITE)]}
    assert Asset.objects.count() == 0


# --- numbers in bodies ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity"])
def test_a_float_field_refuses_what_is_not_finite(client_as, value):
    response = client_as("asset_officer").post(
        ASSETS, asset_body(land_area_m2=value), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"land_area_m2": [str(NOT_FINITE)]}
    assert Asset.objects.count() == 0


def test_an_integer_field_takes_what_postgresql_holds_on_every_database(client_as, make_asset):
    # floors is a smallint on PostgreSQL; SQLite would have stored 32768.
    asset = make_asset(floors=2)
    officer = client_as("asset_officer")

    created = officer.post(ASSETS, asset_body(floors=32768), format="json")
    changed = officer.patch(f"{ASSETS}{asset.pk}/", {"floors": 40000}, format="json")

    limit = BaseDatabaseOperations.integer_field_ranges["PositiveSmallIntegerField"][1]
    message = f"Ensure this value is less than or equal to {limit}."
    assert created.status_code == changed.status_code == 400
    assert created.json() == changed.json() == {"floors": [message]}
    assert list(Asset.objects.values_list("floors", flat=True)) == [2]


# --- numbers in query parameters --------------------------------------------------------------


@pytest.mark.parametrize("url", [ASSETS, "/api/v1/reclassifications/", "/api/v1/outlets/"])
def test_an_offset_past_a_64_bit_integer_is_a_400(client_as, make_asset, url):
    make_asset()

    response = client_as("planner").get(f"{url}?offset=99999999999999999999")

    assert response.status_code == 400
    assert response.json() == {"offset": [OUT_OF_RANGE % {"minimum": 0, "maximum": MAX_OFFSET}]}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("99999999999999999999", f"Ensure this value is less than or equal to {MAX_ID}."),
        ("1.5", "Enter a whole number."),
    ],
)
def test_an_id_filter_takes_whole_numbers_an_id_column_holds(client_as, value, message):
    response = client_as("planner").get(f"/api/v1/reclassifications/?asset={value}")

    assert response.status_code == 400
    assert response.json() == {"asset": [message]}
    assert Reclassification.objects.count() == 0


def _filtersets(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _filtersets(pattern.url_patterns)
            continue
        view = getattr(pattern.callback, "cls", None)
        filterset = getattr(view, "filterset_class", None)
        if filterset is not None:
            yield filterset


def test_every_number_filter_on_an_integer_column_is_bounded():
    found = set(_filtersets(get_resolver().url_patterns))
    numbered = {
        (filterset.__name__, name): number_filter
        for filterset in found
        for name, number_filter in filterset.base_filters.items()
        if isinstance(number_filter, django_filters.NumberFilter)
    }

    assert ("ReclassificationFilterSet", "asset") in numbered
    for key, number_filter in numbered.items():
        field = number_filter.field
        low = -math.inf if field.min_value is None else field.min_value
        high = math.inf if field.max_value is None else field.max_value
        assert -MAX_ID - 1 <= low, key
        assert high <= MAX_ID, key


# --- geometry ---------------------------------------------------------------------------------


def test_a_polygon_over_the_vertex_limit_is_a_400_naming_geometry(client_as):
    ring = circle(MAX_VERTICES + 1)

    response = client_as("asset_officer").post(
        ASSETS, asset_body(geometry={"type": "Polygon", "coordinates": [ring]}), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "geometry": [TOO_MANY_VERTICES % {"count": MAX_VERTICES + 1, "limit": MAX_VERTICES}]
    }
    assert Asset.objects.count() == 0


def test_a_multipolygon_over_the_part_limit_is_a_400_naming_geometry(client_as):
    parts = squares(MAX_PARTS + 1)

    response = client_as("asset_officer").post(
        ASSETS,
        asset_body(geometry={"type": "MultiPolygon", "coordinates": parts}),
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "geometry": [TOO_MANY_PARTS % {"count": MAX_PARTS + 1, "limit": MAX_PARTS}]
    }
    assert Asset.objects.count() == 0


# --- formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "allowed"),
    [(ASSETS, "json, geojson, api"), ("/api/v1/reclassifications/", "json, api")],
)
def test_an_unknown_format_is_a_400_naming_format(client_as, url, allowed):
    response = client_as("planner").get(f"{url}?format=xml")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"format": [str(UNKNOWN_FORMAT).format(value="xml", allowed=allowed)]}
