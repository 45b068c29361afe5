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
from typing import Any

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
        raise GeometryError(f"{where}: a position must be [lon, lat].")
    lon, lat = position[0], position[1]
    for value in (lon, lat):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise GeometryError(f"{where}: coordinates must be finite numbers.")
    if not -180 <= lon <= 180:
        raise GeometryError(f"{where}: longitude {lon} is outside -180..180.")
    if not -90 <= lat <= 90:
        raise GeometryError(f"{where}: latitude {lat} is outside -90..90.")


def _check_ring(ring: Any, where: str) -> None:
    if not isinstance(ring, list):
        raise GeometryError(f"{where}: a linear ring must be a list of positions.")
    for i, position in enumerate(ring):
        _check_position(position, f"{where}, position {i}")
    if len(ring) < 4:
        raise GeometryError(f"{where}: a linear ring needs at least 4 positions.")
    if list(ring[0][:2]) != list(ring[-1][:2]):
        raise GeometryError(f"{where}: the ring is not closed (first and last positions differ).")


def _check_polygon(rings: Any, where: str) -> None:
    if not isinstance(rings, list) or not rings:
        raise GeometryError(f"{where}: a polygon must be a non-empty list of rings.")
    for i, ring in enumerate(rings):
        _check_ring(ring, f"{where}, ring {i}")


def parse_geometry(value: Any, *, allowed: Iterable[str] = ALLOWED_TYPES) -> BaseGeometry:
    """Parse a GeoJSON geometry (a dict or a JSON string) and check it thoroughly.

    Raises GeometryError with a message a person can act on: wrong type, coordinates out of
    range, an open ring, or an invalid geometry with shapely's explanation (e.g. a self-
    intersection and where it is).
    """
    allowed = tuple(allowed)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise GeometryError("Not valid JSON.") from exc
    if not isinstance(value, dict):
        raise GeometryError("Expected a GeoJSON geometry object.")
    geom_type = value.get("type")
    if geom_type == "Feature":
        raise GeometryError("Expected a GeoJSON geometry, not a Feature.")
    if geom_type not in allowed:
        raise GeometryError(
            f"Geometry type {geom_type!r} is not allowed; use one of {', '.join(allowed)}."
        )
    coords = value.get("coordinates")
    if coords is None:
        raise GeometryError("The geometry has no coordinates.")
    if geom_type == "Point":
        _check_position(coords, "Point")
    elif geom_type == "Polygon":
        _check_polygon(coords, "Polygon")
    elif geom_type == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            raise GeometryError("MultiPolygon: must be a non-empty list of polygons.")
        for i, polygon in enumerate(coords):
            _check_polygon(polygon, f"MultiPolygon, polygon {i}")
    try:
        geom = shape(value)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise GeometryError(f"Malformed coordinates: {exc}.") from exc
    if geom.is_empty:
        raise GeometryError("The geometry is empty.")
    if not geom.is_valid:
        raise GeometryError(f"Invalid geometry: {explain_validity(geom)}.")
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


def radius_bbox(lon: float, lat: float, radius_m: float) -> BBox:
    """A lon/lat box that surely contains every point within `radius_m` of (lon, lat).

    Used as the indexed SQL prefilter before the exact metric test; padded by 1% and a metre
    so that rounding never drops a feature lying exactly at the radius.
    """
    pad = radius_m * 1.01 + 1.0
    x, y = _to_utm().transform(lon, lat)
    ring = shapely.box(x - pad, y - pad, x + pad, y + pad)
    return BBox(*bounds(from_utm(shapely.segmentize(ring, pad / 4))))


# --- request parameters -----------------------------------------------------------------------


def _floats(value: str, count: int, param: str, what: str) -> list[float]:
    parts = [p.strip() for p in str(value).split(",")]
    if len(parts) != count:
        raise GeometryError(f"Expected {what}.", param=param)
    try:
        numbers = [float(p) for p in parts]
    except ValueError as exc:
        raise GeometryError(f"Expected {what}; got non-numeric values.", param=param) from exc
    if not all(math.isfinite(n) for n in numbers):
        raise GeometryError(f"Expected {what}; values must be finite.", param=param)
    return numbers


def _check_lon_lat(lon: float, lat: float, param: str) -> None:
    if not -180 <= lon <= 180:
        raise GeometryError(f"Longitude {lon} is outside -180..180.", param=param)
    if not -90 <= lat <= 90:
        raise GeometryError(f"Latitude {lat} is outside -90..90.", param=param)


def parse_bbox(value: str, *, param: str = "bbox") -> BBox:
    """Parse `minLon,minLat,maxLon,maxLat`, checking ranges and order."""
    min_lon, min_lat, max_lon, max_lat = _floats(value, 4, param, "minLon,minLat,maxLon,maxLat")
    _check_lon_lat(min_lon, min_lat, param)
    _check_lon_lat(max_lon, max_lat, param)
    if min_lon > max_lon:
        raise GeometryError("minLon is greater than maxLon.", param=param)
    if min_lat > max_lat:
        raise GeometryError("minLat is greater than maxLat.", param=param)
    return BBox(min_lon, min_lat, max_lon, max_lat)


def parse_near(
    near: str, radius: str | None, *, near_param: str = "near", radius_param: str = "radius"
) -> Near:
    """Parse `near=lon,lat` and `radius` in metres (required, > 0, at most MAX_RADIUS_M)."""
    lon, lat = _floats(near, 2, near_param, "lon,lat")
    _check_lon_lat(lon, lat, near_param)
    if radius is None or str(radius).strip() == "":
        raise GeometryError("A radius in metres is required with near.", param=radius_param)
    try:
        radius_m = float(radius)
    except ValueError as exc:
        raise GeometryError("The radius must be a number of metres.", param=radius_param) from exc
    if not math.isfinite(radius_m) or radius_m <= 0:
        raise GeometryError("The radius must be a positive number of metres.", param=radius_param)
    if radius_m > MAX_RADIUS_M:
        raise GeometryError(
            f"The radius may be at most {MAX_RADIUS_M:.0f} metres.", param=radius_param
        )
    return Near(lon, lat, radius_m)
