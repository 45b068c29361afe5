"""Boundaries for the map: simplified per zoom band and gzip-compressed on the wire (#18)."""

import gzip
import json

import pytest
from rest_framework.test import APIClient

from geodata.boundaries import simplified_geojson, tolerance_m
from geodata.spatial import from_geojson, to_utm

pytestmark = pytest.mark.django_db

CITY_ZOOM = 12
# The whole city at city zoom (both levels) must stay under this many bytes on the wire.
CITY_BUDGET = 150_000


def boundaries(client: APIClient, level: str, zoom: int | None) -> tuple[int, dict]:
    """(bytes on the wire, decoded FeatureCollection) of one level's boundaries."""
    query = f"level={level}&format=geojson&limit=1000"
    if zoom is not None:
        query += f"&zoom={zoom}"
    response = client.get(f"/api/v1/districts/?{query}", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    return len(response.content), json.loads(gzip.decompress(response.content))


def vertices(collection: dict) -> int:
    return sum(
        len(from_geojson(f["geometry"]).exterior.coords)
        if from_geojson(f["geometry"]).geom_type == "Polygon"
        else sum(len(p.exterior.coords) for p in from_geojson(f["geometry"]).geoms)
        for f in collection["features"]
    )


def test_the_whole_city_at_city_zoom_travels_under_150_kb(client_as):
    # given: a planner
    client = client_as("planner")
    # when: the map asks for both levels at city zoom, accepting gzip
    kecamatan_bytes, kecamatan = boundaries(client, "kecamatan", CITY_ZOOM)
    kelurahan_bytes, kelurahan = boundaries(client, "kelurahan", CITY_ZOOM)
    # then: every district arrives, and all of it fits the budget
    assert len(kecamatan["features"]) == 11
    assert len(kelurahan["features"]) == 63
    assert kecamatan_bytes + kelurahan_bytes < CITY_BUDGET
    # while the unsimplified boundaries, even compressed, do not
    full = sum(boundaries(client, level, None)[0] for level in ("kecamatan", "kelurahan"))
    assert full > CITY_BUDGET


def test_finer_zoom_returns_more_detail(client_as):
    client = client_as("planner")
    counts = [vertices(boundaries(client, "kelurahan", zoom)[1]) for zoom in (10, 12, 14, 17)]
    assert counts == sorted(counts)
    assert len(set(counts)) == 4
    # zoom 17 and beyond is the shipped boundary itself
    _, full = boundaries(client, "kelurahan", None)
    assert counts[-1] == vertices(full)


def test_a_simplified_boundary_stays_within_its_tolerance_of_the_shipped_one(client_as):
    client = client_as("planner")
    _, simplified = boundaries(client, "kecamatan", CITY_ZOOM)
    _, full = boundaries(client, "kecamatan", None)
    by_code = {f["id"]: f["geometry"] for f in full["features"]}
    for feature in simplified["features"]:
        shipped = to_utm(from_geojson(by_code[feature["id"]]))
        drawn = to_utm(from_geojson(feature["geometry"]))
        # Douglas-Peucker keeps every point within the tolerance; rounding adds about a metre.
        assert shipped.hausdorff_distance(drawn) <= tolerance_m(CITY_ZOOM) + 2
        assert drawn.is_valid


def test_the_detail_takes_zoom_too(client_as):
    response = client_as("planner").get(
        "/api/v1/districts/32.76.06/?format=geojson&zoom=12", HTTP_ACCEPT_ENCODING="identity"
    )
    assert response.status_code == 200
    assert response.json()["geometry"] == simplified_geojson("32.76.06", 12)


@pytest.mark.parametrize("value", ["-1", "23", "1.5", "x", "²", "", "999999999999"])
def test_a_bad_zoom_is_a_400_naming_it(client_as, value):
    response = client_as("planner").get(f"/api/v1/districts/?zoom={value}")
    assert response.status_code == 400
    assert list(response.json()) == ["zoom"]
