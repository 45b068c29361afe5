"""Spatial helpers: GeoJSON parsing and validation, bounds, metric distance and area, map params.

Pure functions over shapely and pyproj; nothing here touches the ORM. Geometry is stored and
exchanged as GeoJSON in EPSG:4326 (lon/lat order). Anything in metres is computed in UTM zone 48S
(EPSG:32748), which covers Depok with negligible distortion; degrees are never used as distances.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Any

import orjson
from django.utils.translation import gettext_lazy as _

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely import ops
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

WGS84 = CRS.from_epsg(4326)
UTM_48S = CRS.from_epsg(32748)
ALLOWED_TYPES = ("Point", "Polygon", "MultiPolygon")

# Longest radius a map query may ask for: the whole of Depok fits in 30 km.
MAX_RADIUS_M = 50_000.0
# The largest geometry a register entry may hold: a surveyed parcel has tens of vertices, the
# shipped boundary of a whole kecamatan at most 2,418 (a kelurahan 919). Each write validates,
# projects and measures its geometry, and map queries read it back, so there is a ceiling.
MAX_VERTICES = 10_000
MAX_PARTS = 500

# Messages (translated when raised). `%(where)s` is a path into the geometry built from the
# WHERE_* parts, e.g. "MultiPolygon, polygon 0, ring 1, position 3".
WHERE_POLYGON = _("%(where)s, polygon %(index)s")
WHERE_RING = _("%(where)s, ring %(index)s")
WHERE_POSITION = _("%(where)s, position %(index)s")
POSITION_NOT_LON_LAT = _("%(where)s: a position must be [lon, lat].")
COORDINATES_NOT_FINITE = _("%(where)s: coordinates must be finite numbers.")
WHERE_LONGITUDE_RANGE = _("%(where)s: longitude %(lon)s is outside -180..180.")
WHERE_LATITUDE_RANGE = _("%(where)s: latitude %(lat)s is outside -90..90.")
RING_NOT_LIST = _("%(where)s: a linear ring must be a list of positions.")
RING_TOO_SHORT = _("%(where)s: a linear ring needs at least 4 positions.")
RING_NOT_CLOSED = _("%(where)s: the ring is not closed (first and last positions differ).")
POLYGON_NOT_LIST = _("%(where)s: a polygon must be a non-empty list of rings.")
NOT_JSON = _("Not valid JSON.")
NOT_GEOMETRY_OBJECT = _("Expected a GeoJSON geometry object.")
FEATURE_NOT_GEOMETRY = _("Expected a GeoJSON geometry, not a Feature.")
TYPE_NOT_ALLOWED = _("Geometry type %(type)s is not allowed; use one of %(allowed)s.")
NO_COORDINATES = _("The geometry has no coordinates.")
MULTIPOLYGON_NOT_LIST = _("MultiPolygon: must be a non-empty list of polygons.")
MALFORMED_COORDINATES = _("Malformed coordinates: %(reason)s.")
GEOMETRY_EMPTY = _("The geometry is empty.")
GEOMETRY_INVALID = _("Invalid geometry: %(reason)s.")
TOO_MANY_VERTICES = _("The geometry has %(count)s vertices; at most %(limit)s are accepted.")
TOO_MANY_PARTS = _("The MultiPolygon has %(count)s polygons; at most %(limit)s are accepted.")
EXPECTED = _("Expected %(what)s.")
EXPECTED_NUMBERS = _("Expected %(what)s; got non-numeric values.")
EXPECTED_FINITE = _("Expected %(what)s; values must be finite.")
LONGITUDE_RANGE = _("Longitude %(lon)s is outside -180..180.")
LATITUDE_RANGE = _("Latitude %(lat)s is outside -90..90.")
MIN_LON_ABOVE_MAX = _("minLon is greater than maxLon.")
MIN_LAT_ABOVE_MAX = _("minLat is greater than maxLat.")
RADIUS_REQUIRED = _("A radius in metres is required with near.")
RADIUS_NOT_NUMBER = _("The radius must be a number of metres.")
RADIUS_NOT_POSITIVE = _("The radius must be a positive number of metres.")
RADIUS_TOO_LARGE = _("The radius may be at most %(maximum)s metres.")

# GEOS's reasons for an invalid geometry (shapely's explain_validity), so they can be translated;
# the location in brackets after the reason is kept as it is.
VALIDITY_REASONS = {
    "Self-intersection": _("Self-intersection"),
    "Ring Self-intersection": _("Ring self-intersection"),
    "Too few points in geometry component": _("Too few points in geometry component"),
    "Hole lies outside shell": _("Hole lies outside shell"),
    "Nested holes": _("Nested holes"),
    "Interior is disconnected": _("Interior is disconnected"),
    "Nested shells": _("Nested shells"),
    "Duplicate Rings": _("Duplicate rings"),
    "Invalid Coordinate": _("Invalid coordinate"),
    "Ring is not closed": _("Ring is not closed"),
}


def explain_invalid(geom: BaseGeometry) -> str:
    """GEOS's reason why `geom` is invalid, translated, with the location it names."""
    text = explain_validity(geom)
    reason, bracket, rest = text.partition("[")
    translated = VALIDITY_REASONS.get(reason.strip())
    if translated is None:
        return text
    return f"{translated}{bracket}{rest}"


class GeometryError(ValueError):
    """An invalid geometry or map parameter; `param` names the offending request parameter."""

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


@dataclass(frozen=True)
class BBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    @property
    def polygon(self) -> BaseGeometry:
        return shapely.box(self.min_lon, self.min_lat, self.max_lon, self.max_lat)


@dataclass(frozen=True)
class Near:
    lon: float
    lat: float
    radius_m: float

    @property
    def point(self) -> Point:
        return Point(self.lon, self.lat)


@lru_cache(maxsize=1)
def _to_utm() -> Transformer:
    return Transformer.from_crs(WGS84, UTM_48S, always_xy=True)


@lru_cache(maxsize=1)
def _to_wgs84() -> Transformer:
    return Transformer.from_crs(UTM_48S, WGS84, always_xy=True)


# --- parsing and validation -------------------------------------------------------------------


def _check_position(position: Any, where: str) -> None:
    if not isinstance(position, list | tuple) or len(position) < 2:
        raise GeometryError(POSITION_NOT_LON_LAT % {"where": where})
    lon, lat = position[0], position[1]
    for value in (lon, lat):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise GeometryError(COORDINATES_NOT_FINITE % {"where": where})
    if not -180 <= lon <= 180:
        raise GeometryError(WHERE_LONGITUDE_RANGE % {"where": where, "lon": lon})
    if not -90 <= lat <= 90:
        raise GeometryError(WHERE_LATITUDE_RANGE % {"where": where, "lat": lat})


def _check_ring(ring: Any, where: str) -> None:
    if not isinstance(ring, list):
        raise GeometryError(RING_NOT_LIST % {"where": where})
    for i, position in enumerate(ring):
        _check_position(position, WHERE_POSITION % {"where": where, "index": i})
    if len(ring) < 4:
        raise GeometryError(RING_TOO_SHORT % {"where": where})
    if list(ring[0][:2]) != list(ring[-1][:2]):
        raise GeometryError(RING_NOT_CLOSED % {"where": where})


def _check_polygon(rings: Any, where: str) -> None:
    if not isinstance(rings, list) or not rings:
        raise GeometryError(POLYGON_NOT_LIST % {"where": where})
    for i, ring in enumerate(rings):
        _check_ring(ring, WHERE_RING % {"where": where, "index": i})


def _positions(coords: Any, depth: int) -> int:
    """How many positions a GeoJSON coordinates array of this nesting depth holds (1: a ring),
    counting only lists: what is not one is reported by the checks that follow."""
    if not isinstance(coords, list):
        return 0
    if depth == 1:
        return len(coords)
    return sum(_positions(item, depth - 1) for item in coords)


def _check_size(geom_type: str, coords: Any) -> None:
    """The part and vertex limits, checked before the positions are walked one by one."""
    if geom_type == "MultiPolygon" and isinstance(coords, list) and len(coords) > MAX_PARTS:
        raise GeometryError(TOO_MANY_PARTS % {"count": len(coords), "limit": MAX_PARTS})
    depth = {"Polygon": 2, "MultiPolygon": 3}.get(geom_type)
    count = _positions(coords, depth) if depth else 0
    if count > MAX_VERTICES:
        raise GeometryError(TOO_MANY_VERTICES % {"count": count, "limit": MAX_VERTICES})


def size_problem(geom: BaseGeometry) -> str | None:
    """Why a parsed geometry is too large to store (too many vertices or parts), or None: the
    same limits as `parse_geometry`'s, for geometries read from files."""
    parts = int(shapely.get_num_geometries(geom))
    if geom.geom_type == "MultiPolygon" and parts > MAX_PARTS:
        return TOO_MANY_PARTS % {"count": parts, "limit": MAX_PARTS}
    count = int(shapely.get_num_coordinates(geom))
    if count > MAX_VERTICES:
        return TOO_MANY_VERTICES % {"count": count, "limit": MAX_VERTICES}
    return None


def within_size_limits(geoms: np.ndarray) -> np.ndarray:
    """`size_problem(g) is None` for each of an array of geometries, vectorised."""
    parts = np.where(
        shapely.get_type_id(geoms) == shapely.GeometryType.MULTIPOLYGON,
        shapely.get_num_geometries(geoms),
        0,
    )
    return (parts <= MAX_PARTS) & (shapely.get_num_coordinates(geoms) <= MAX_VERTICES)


def parse_geometry(value: Any, *, allowed: Iterable[str] = ALLOWED_TYPES) -> BaseGeometry:
    """Parse a GeoJSON geometry (a dict or a JSON string) and check it thoroughly.

    Raises GeometryError with a message a person can act on: wrong type, too many vertices or
    parts, coordinates out of range, an open ring, or an invalid geometry with shapely's
    explanation (e.g. a self-intersection and where it is).
    """
    allowed = tuple(allowed)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise GeometryError(str(NOT_JSON)) from exc
    if not isinstance(value, dict):
        raise GeometryError(str(NOT_GEOMETRY_OBJECT))
    geom_type = value.get("type")
    if geom_type == "Feature":
        raise GeometryError(str(FEATURE_NOT_GEOMETRY))
    if geom_type not in allowed:
        raise GeometryError(
            TYPE_NOT_ALLOWED % {"type": repr(geom_type), "allowed": ", ".join(allowed)}
        )
    coords = value.get("coordinates")
    if coords is None:
        raise GeometryError(str(NO_COORDINATES))
    _check_size(geom_type, coords)
    if geom_type == "Point":
        _check_position(coords, "Point")
    elif geom_type == "Polygon":
        _check_polygon(coords, "Polygon")
    elif geom_type == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            raise GeometryError(str(MULTIPOLYGON_NOT_LIST))
        for i, polygon in enumerate(coords):
            _check_polygon(polygon, WHERE_POLYGON % {"where": "MultiPolygon", "index": i})
    try:
        geom = shape(value)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise GeometryError(MALFORMED_COORDINATES % {"reason": exc}) from exc
    if geom.is_empty:
        raise GeometryError(str(GEOMETRY_EMPTY))
    if not geom.is_valid:
        raise GeometryError(GEOMETRY_INVALID % {"reason": explain_invalid(geom)})
    return geom


def to_geojson(geom: BaseGeometry, *, precision: int = 7) -> dict:
    """RFC 7946 GeoJSON geometry dict, coordinates rounded to `precision` decimals (7 = 1 cm)."""
    return json.loads(shapely.to_geojson(shapely.set_precision(geom, 10**-precision)))


def from_geojson(value: dict | str) -> BaseGeometry:
    """Trusted GeoJSON (already validated, e.g. from the database) to shapely, no checks."""
    if isinstance(value, str):
        value = json.loads(value)
    return shape(value)


# --- derived figures --------------------------------------------------------------------------


def bounds(geom: BaseGeometry) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat)."""
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    return float(min_lon), float(min_lat), float(max_lon), float(max_lat)


def representative_point(geom: BaseGeometry) -> tuple[float, float]:
    """A (lon, lat) point surely on the geometry (inside a polygon, unlike a centroid)."""
    point = geom if geom.geom_type == "Point" else geom.representative_point()
    return float(point.x), float(point.y)


def to_utm(geom: BaseGeometry) -> BaseGeometry:
    """Project a lon/lat geometry to EPSG:32748 (metres)."""
    return ops.transform(_to_utm().transform, geom)


def from_utm(geom: BaseGeometry) -> BaseGeometry:
    return ops.transform(_to_wgs84().transform, geom)


def area_m2(geom: BaseGeometry) -> float:
    """Area in square metres (0 for a point)."""
    return float(to_utm(geom).area)


def distance_m(lon: float, lat: float, geom: BaseGeometry) -> float:
    """Distance in metres from a point to a geometry: 0 on or inside it."""
    x, y = _to_utm().transform(lon, lat)
    return float(Point(x, y).distance(to_utm(geom)))


def distances_m(lon: float, lat: float, geoms: Iterable[BaseGeometry]) -> list[float]:
    """Vectorised `distance_m` over many geometries."""
    geoms = list(geoms)
    if not geoms:
        return []
    x, y = _to_utm().transform(lon, lat)
    projected = shapely.transform(np.asarray(geoms, dtype=object), lonlat_to_utm_array)
    return [float(d) for d in shapely.distance(Point(x, y), projected)]


def lonlat_to_utm_array(xy: np.ndarray) -> np.ndarray:
    """Project an (N, 2) array of lon/lat to UTM 48S metres (shapely.transform's signature)."""
    x, y = _to_utm().transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def utm_to_lonlat_array(xy: np.ndarray) -> np.ndarray:
    """Project an (N, 2) array of UTM 48S metres to lon/lat (shapely.transform's signature)."""
    lon, lat = _to_wgs84().transform(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


def stored_polygons(texts: list[str]) -> np.ndarray:
    """Stored GeoJSON Polygon/MultiPolygon texts as shapely MultiPolygons, in bulk.

    Map filters measure hundreds of stored polygons per request: reading them with orjson and
    building them in one `from_ragged_array` call takes half the time of `shapely.from_geojson`.
    The texts were validated when stored; any other geometry type falls back to `from_geojson`.
    """
    coords: list = []
    ring_ends, polygon_ends, multi_ends = [0], [0], [0]
    flat = True  # every position [lon, lat] (written by shapely, so each ring has one size)
    for text in texts:
        value = orjson.loads(text)
        kind = value.get("type")
        if kind == "Polygon":
            polygons = [value["coordinates"]]
        elif kind == "MultiPolygon":
            polygons = value["coordinates"]
        else:
            return shapely.from_geojson(texts)
        for rings in polygons:
            for ring in rings:
                coords.extend(ring)
                flat = flat and len(ring[0]) == 2
                ring_ends.append(len(coords))
            polygon_ends.append(len(ring_ends) - 1)
        multi_ends.append(len(polygon_ends) - 1)
    if not texts:
        return np.empty(0, dtype=object)
    if flat:
        # One flat read, without an array per position.
        xy = np.fromiter(chain.from_iterable(coords), float, count=2 * len(coords))
        xy = xy.reshape(len(coords), 2)
    else:
        xy = np.asarray(coords, dtype=float)[:, :2]
    return shapely.from_ragged_array(
        shapely.GeometryType.MULTIPOLYGON,
        xy,
        (np.asarray(ring_ends), np.asarray(polygon_ends), np.asarray(multi_ends)),
    )


def radius_bbox(lon: float, lat: float, radius_m: float) -> BBox:
    """A lon/lat box that surely contains every point within `radius_m` of (lon, lat).

    Used as the indexed SQL prefilter before the exact metric test; padded by 1% and a metre
    so that rounding never drops a feature lying exactly at the radius.
    """
    pad = radius_m * 1.01 + 1.0
    x, y = _to_utm().transform(lon, lat)
    if not (math.isfinite(x) and math.isfinite(y)):
        # Too far from UTM zone 48S to project (the other side of the world): metres mean
        # nothing there and nothing the city keeps is within reach, so the box is the point.
        return BBox(lon, lat, lon, lat)
    # The padded square's outline, five points a side, in one pyproj call (its sides bend a
    # little in lon/lat; the pad covers far more than that between the points).
    steps = np.linspace(-pad, pad, 5)
    edge = np.full(5, pad)
    xs = x + np.concatenate([steps, steps, -edge, edge])
    ys = y + np.concatenate([-edge, edge, steps, steps])
    lons, lats = _to_wgs84().transform(xs, ys)
    if not (np.isfinite(lons).all() and np.isfinite(lats).all()):
        return BBox(lon, lat, lon, lat)
    return BBox(float(lons.min()), float(lats.min()), float(lons.max()), float(lats.max()))


# --- request parameters -----------------------------------------------------------------------


def _floats(value: str, count: int, param: str, what: str) -> list[float]:
    parts = [p.strip() for p in str(value).split(",")]
    if len(parts) != count:
        raise GeometryError(EXPECTED % {"what": what}, param=param)
    try:
        numbers = [float(p) for p in parts]
    except ValueError as exc:
        raise GeometryError(EXPECTED_NUMBERS % {"what": what}, param=param) from exc
    if not all(math.isfinite(n) for n in numbers):
        raise GeometryError(EXPECTED_FINITE % {"what": what}, param=param)
    return numbers


def _check_lon_lat(lon: float, lat: float, param: str) -> None:
    if not -180 <= lon <= 180:
        raise GeometryError(LONGITUDE_RANGE % {"lon": lon}, param=param)
    if not -90 <= lat <= 90:
        raise GeometryError(LATITUDE_RANGE % {"lat": lat}, param=param)


def parse_bbox(value: str, *, param: str = "bbox") -> BBox:
    """Parse `minLon,minLat,maxLon,maxLat`, checking ranges and order."""
    min_lon, min_lat, max_lon, max_lat = _floats(value, 4, param, "minLon,minLat,maxLon,maxLat")
    _check_lon_lat(min_lon, min_lat, param)
    _check_lon_lat(max_lon, max_lat, param)
    if min_lon > max_lon:
        raise GeometryError(str(MIN_LON_ABOVE_MAX), param=param)
    if min_lat > max_lat:
        raise GeometryError(str(MIN_LAT_ABOVE_MAX), param=param)
    return BBox(min_lon, min_lat, max_lon, max_lat)


def parse_near(
    near: str, radius: str | None, *, near_param: str = "near", radius_param: str = "radius"
) -> Near:
    """Parse `near=lon,lat` and `radius` in metres (required, > 0, at most MAX_RADIUS_M)."""
    lon, lat = _floats(near, 2, near_param, "lon,lat")
    _check_lon_lat(lon, lat, near_param)
    if radius is None or str(radius).strip() == "":
        raise GeometryError(str(RADIUS_REQUIRED), param=radius_param)
    try:
        radius_m = float(radius)
    except ValueError as exc:
        raise GeometryError(str(RADIUS_NOT_NUMBER), param=radius_param) from exc
    if not math.isfinite(radius_m) or radius_m <= 0:
        raise GeometryError(str(RADIUS_NOT_POSITIVE), param=radius_param)
    if radius_m > MAX_RADIUS_M:
        raise GeometryError(
            RADIUS_TOO_LARGE % {"maximum": f"{MAX_RADIUS_M:.0f}"}, param=radius_param
        )
    return Near(lon, lat, radius_m)
