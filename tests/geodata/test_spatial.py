"""Spatial helpers on hand-built geometries whose answers are known exactly."""

import math

import orjson
import pytest

import shapely
from pyproj import Transformer
from shapely.geometry import Point, Polygon

from geodata.spatial import (
    MAX_RADIUS_M,
    GeometryError,
    area_m2,
    bounds,
    distance_m,
    distances_m,
    parse_bbox,
    parse_geometry,
    parse_near,
    radius_bbox,
    representative_point,
    stored_polygons,
    to_geojson,
)

TO_UTM = Transformer.from_crs(4326, 32748, always_xy=True)
TO_LONLAT = Transformer.from_crs(32748, 4326, always_xy=True)
ORIGIN = (106.81794, -6.37229)


def utm_square(lon: float, lat: float, side_m: float) -> Polygon:
    """A square of `side_m` metres (in UTM 48S) whose south-west corner is at (lon, lat)."""
    x, y = TO_UTM.transform(lon, lat)
    corners = [(x, y), (x + side_m, y), (x + side_m, y + side_m), (x, y + side_m), (x, y)]
    return Polygon([TO_LONLAT.transform(cx, cy) for cx, cy in corners])


def offset(lon: float, lat: float, dx: float, dy: float) -> tuple[float, float]:
    x, y = TO_UTM.transform(lon, lat)
    return TO_LONLAT.transform(x + dx, y + dy)


# --- parse_geometry ---------------------------------------------------------------------------


def test_parse_point_polygon_multipolygon():
    assert parse_geometry({"type": "Point", "coordinates": [106.8, -6.4]}).equals(
        Point(106.8, -6.4)
    )
    ring = [[106.8, -6.4], [106.81, -6.4], [106.81, -6.39], [106.8, -6.4]]
    assert parse_geometry({"type": "Polygon", "coordinates": [ring]}).geom_type == "Polygon"
    multi = parse_geometry({"type": "MultiPolygon", "coordinates": [[ring]]})
    assert multi.geom_type == "MultiPolygon"
    assert parse_geometry('{"type": "Point", "coordinates": [1, 2]}').equals(Point(1, 2))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not json", "Not valid JSON."),
        ([1, 2], "Expected a GeoJSON geometry object."),
        (
            {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
            "Geometry type 'LineString' is not allowed; use one of Point, Polygon, MultiPolygon.",
        ),
        ({"type": "Feature", "geometry": None}, "Expected a GeoJSON geometry, not a Feature."),
        ({"type": "Point"}, "The geometry has no coordinates."),
        ({"type": "Point", "coordinates": [200, 0]}, "Point: longitude 200 is outside -180..180."),
        ({"type": "Point", "coordinates": [0, -91]}, "Point: latitude -91 is outside -90..90."),
        ({"type": "Point", "coordinates": [0]}, "Point: a position must be [lon, lat]."),
        ({"type": "Point", "coordinates": ["a", 1]}, "Point: coordinates must be finite numbers."),
        ({"type": "Point", "coordinates": [True, 1]}, "Point: coordinates must be finite numbers."),
        (
            {"type": "Polygon", "coordinates": []},
            "Polygon: a polygon must be a non-empty list of rings.",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]},
            "Polygon, ring 0: a linear ring needs at least 4 positions.",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]},
            "Polygon, ring 0: the ring is not closed (first and last positions differ).",
        ),
        (
            {"type": "MultiPolygon", "coordinates": []},
            "MultiPolygon: must be a non-empty list of polygons.",
        ),
    ],
)
def test_parse_geometry_errors(value, message):
    with pytest.raises(GeometryError) as info:
        parse_geometry(value)
    assert info.value.message == message


def test_self_intersecting_polygon_is_explained():
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(GeometryError) as info:
        parse_geometry(bowtie)
    assert info.value.message == "Invalid geometry: Self-intersection[0.5 0.5]."


def test_allowed_types_can_be_narrowed():
    with pytest.raises(GeometryError):
        parse_geometry(
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
            allowed=["Point"],
        )


def test_to_geojson_rounds_to_seven_decimals():
    assert to_geojson(Point(106.123456789, -6.987654321)) == {
        "type": "Point",
        "coordinates": [106.1234568, -6.9876543],
    }


# --- bounds, points, metric figures -----------------------------------------------------------


def test_bounds_and_representative_point():
    poly = Polygon([(0, 0), (4, 0), (4, 2), (0, 2), (0, 0)])
    assert bounds(poly) == (0.0, 0.0, 4.0, 2.0)
    lon, lat = representative_point(poly)
    assert poly.contains(Point(lon, lat))
    assert representative_point(Point(3, 5)) == (3.0, 5.0)


def test_area_of_a_100m_square_is_10000_m2():
    assert area_m2(utm_square(*ORIGIN, 100)) == pytest.approx(10_000, rel=1e-6)
    assert area_m2(Point(*ORIGIN)) == 0.0


def test_distance_in_metres():
    lon, lat = offset(*ORIGIN, 300, 400)
    assert distance_m(*ORIGIN, Point(lon, lat)) == pytest.approx(500, abs=1e-4)
    square = utm_square(*ORIGIN, 100)
    inside = offset(*ORIGIN, 50, 50)
    assert distance_m(*inside, square) == 0.0
    east = offset(*ORIGIN, 250, 50)
    assert distance_m(*east, square) == pytest.approx(150, abs=1e-4)
    assert distances_m(*east, [square, Point(*ORIGIN)]) == pytest.approx(
        [150, math.hypot(250, 50)], abs=1e-4
    )
    assert distances_m(*east, []) == []


def test_radius_bbox_contains_the_circle():
    box = radius_bbox(*ORIGIN, 1000)
    for dx, dy in [(1000, 0), (-1000, 0), (0, 1000), (0, -1000), (707, 707)]:
        lon, lat = offset(*ORIGIN, dx, dy)
        assert box.min_lon <= lon <= box.max_lon
        assert box.min_lat <= lat <= box.max_lat


# --- request parameters -----------------------------------------------------------------------


def test_parse_bbox():
    box = parse_bbox("106.7,-6.5,106.9,-6.3")
    assert (box.min_lon, box.min_lat, box.max_lon, box.max_lat) == (106.7, -6.5, 106.9, -6.3)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1,2,3", "Expected minLon,minLat,maxLon,maxLat."),
        ("a,b,c,d", "Expected minLon,minLat,maxLon,maxLat; got non-numeric values."),
        ("nan,0,1,1", "Expected minLon,minLat,maxLon,maxLat; values must be finite."),
        ("-181,0,1,1", "Longitude -181.0 is outside -180..180."),
        ("0,0,1,95", "Latitude 95.0 is outside -90..90."),
        ("2,0,1,1", "minLon is greater than maxLon."),
        ("0,2,1,1", "minLat is greater than maxLat."),
    ],
)
def test_parse_bbox_errors_name_the_parameter(value, message):
    with pytest.raises(GeometryError) as info:
        parse_bbox(value)
    assert info.value.message == message
    assert info.value.param == "bbox"


def test_parse_near():
    near = parse_near("106.8,-6.4", "1500")
    assert (near.lon, near.lat, near.radius_m) == (106.8, -6.4, 1500.0)


@pytest.mark.parametrize(
    ("near", "radius", "param", "message"),
    [
        ("106.8", "10", "near", "Expected lon,lat."),
        ("x,y", "10", "near", "Expected lon,lat; got non-numeric values."),
        ("106.8,-100", "10", "near", "Latitude -100.0 is outside -90..90."),
        ("106.8,-6.4", None, "radius", "A radius in metres is required with near."),
        ("106.8,-6.4", "ten", "radius", "The radius must be a number of metres."),
        ("106.8,-6.4", "0", "radius", "The radius must be a positive number of metres."),
        ("106.8,-6.4", "-5", "radius", "The radius must be a positive number of metres."),
        ("106.8,-6.4", "inf", "radius", "The radius must be a positive number of metres."),
        ("106.8,-6.4", str(MAX_RADIUS_M + 1), "radius", "The radius may be at most 50000 metres."),
    ],
)
def test_parse_near_errors_name_the_parameter(near, radius, param, message):
    with pytest.raises(GeometryError) as info:
        parse_near(near, radius)
    assert info.value.param == param
    assert info.value.message == message


def test_stored_polygons_read_polygons_holes_and_multipolygons_as_geos_does():
    # given: a square with a square hole, a two-part multipolygon, and a plain square
    outer = [[106.80, -6.40], [106.81, -6.40], [106.81, -6.39], [106.80, -6.39], [106.80, -6.40]]
    hole = [
        [106.803, -6.397],
        [106.806, -6.397],
        [106.806, -6.394],
        [106.803, -6.394],
        [106.803, -6.397],
    ]
    far = [[106.82, -6.40], [106.83, -6.40], [106.83, -6.39], [106.82, -6.39], [106.82, -6.40]]
    texts = [
        orjson.dumps({"type": "Polygon", "coordinates": [outer, hole]}).decode(),
        orjson.dumps({"type": "MultiPolygon", "coordinates": [[outer], [far]]}).decode(),
        orjson.dumps({"type": "Polygon", "coordinates": [far]}).decode(),
    ]
    expected = shapely.from_geojson(texts)

    # when
    read = stored_polygons(texts)

    # then: the same shapes (a polygon becomes a one-part multipolygon)
    assert all(shapely.equals(a, b) for a, b in zip(read, expected, strict=True))
    assert shapely.area(read[0]) == pytest.approx(0.01 * 0.01 - 0.003 * 0.003)
    assert len(stored_polygons([])) == 0


def test_stored_polygons_fall_back_for_other_types():
    texts = ['{"type": "Point", "coordinates": [106.8, -6.4]}']
    assert shapely.equals(stored_polygons(texts)[0], Point(106.8, -6.4))
