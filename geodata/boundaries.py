"""Depok's administrative boundaries as shipped in `geodata/data/`, and point-in-polygon lookup.

The boundaries are read once per process from the shipped GeoJSON (the same files the District
table is loaded from), so `locate` needs no database round trip and works in pure tests. An
STRtree over the 63 kelurahan narrows candidates before the exact test.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from geodata.spatial import from_utm, representative_point, to_geojson, to_utm

DATA_DIR = Path(__file__).resolve().parent / "data"
KECAMATAN_FILE = DATA_DIR / "depok_kecamatan.geojson"
KELURAHAN_FILE = DATA_DIR / "depok_kelurahan.geojson"
POPULATION_FILE = DATA_DIR / "population.csv"
POPULATION_FILE_2020 = DATA_DIR / "population_2020.csv"

CITY_CODE = "32.76"
CITY_NAME = "Kota Depok"
POPULATION_SOURCE_2010 = "BPS, Sensus Penduduk 2010 (Hasil Olah Cepat)"
# The default since issue 18: the SP2020 city total, per kecamatan by the SP2010 shares (no
# per-kecamatan SP2020 table with a citable source was found; see data/SOURCES.md).
POPULATION_SOURCE_2020 = (
    "BPS Kota Depok, Sensus Penduduk 2020 (city total 2,056,335), per kecamatan by SP2010 shares"
)
CITY_POPULATION_2020 = 2_056_335


@dataclass(frozen=True)
class Boundary:
    code: str
    name: str
    level: str  # "kecamatan" or "kelurahan"
    parent_code: str | None
    bps_code: str
    geometry: BaseGeometry


@dataclass(frozen=True)
class Location:
    """Where a geometry lies. Outside Depok is an explicit answer: `inside` False, codes None."""

    kelurahan_code: str | None
    kecamatan_code: str | None

    @property
    def inside(self) -> bool:
        return self.kelurahan_code is not None


OUTSIDE = Location(None, None)


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)["features"]


@lru_cache(maxsize=1)
def kecamatan() -> tuple[Boundary, ...]:
    return tuple(
        Boundary(
            code=f["properties"]["code"],
            name=f["properties"]["name"],
            level="kecamatan",
            parent_code=None,
            bps_code=f["properties"]["bps_code"],
            geometry=shape(f["geometry"]),
        )
        for f in sorted(_read(KECAMATAN_FILE), key=lambda f: f["properties"]["code"])
    )


@lru_cache(maxsize=1)
def kelurahan() -> tuple[Boundary, ...]:
    return tuple(
        Boundary(
            code=f["properties"]["code"],
            name=f["properties"]["name"],
            level="kelurahan",
            parent_code=f["properties"]["kecamatan_code"],
            bps_code=f["properties"]["bps_code"],
            geometry=shape(f["geometry"]),
        )
        for f in sorted(_read(KELURAHAN_FILE), key=lambda f: f["properties"]["code"])
    )


@lru_cache(maxsize=1)
def levels() -> dict[str, str]:
    """Code -> level ("kecamatan" or "kelurahan") of every shipped district.

    The District table is loaded from these same files (by migration), so a code known here is
    a District row; map filters check codes here without a query.
    """
    return {b.code: b.level for b in (*kecamatan(), *kelurahan())}


@lru_cache(maxsize=1)
def population_2010() -> dict[str, dict]:
    """Census 2010 population per kecamatan code: {"total", "male", "female", "year", "source"}."""
    with POPULATION_FILE.open(encoding="utf-8") as fh:
        return {
            row["kecamatan_code"]: {
                "total": int(row["total"]),
                "male": int(row["male"]),
                "female": int(row["female"]),
                "year": int(row["year"]),
                "source": POPULATION_SOURCE_2010,
            }
            for row in csv.DictReader(fh)
        }


@lru_cache(maxsize=1)
def population_2020() -> dict[str, dict]:
    """The default figures per kecamatan code: {"total", "year", "source"} (SP2020)."""
    with POPULATION_FILE_2020.open(encoding="utf-8") as fh:
        return {
            row["kecamatan_code"]: {
                "total": int(row["total"]),
                "year": int(row["year"]),
                "source": POPULATION_SOURCE_2020,
            }
            for row in csv.DictReader(fh)
        }


@lru_cache(maxsize=1)
def _kelurahan_tree() -> tuple[STRtree, np.ndarray, tuple[str, ...], tuple[str, ...]]:
    items = kelurahan()  # sorted by code
    # Prepared copies: a point-in-polygon test against a prepared boundary is indexed.
    shapes = shapely.from_wkb(shapely.to_wkb([item.geometry for item in items]))
    shapely.prepare(shapes)
    return (
        STRtree(shapes),
        shapes,
        tuple(item.code for item in items),
        tuple(item.parent_code for item in items),
    )


def locate_points(xy) -> tuple[list[str | None], list[str | None]]:
    """(kelurahan codes, kecamatan codes) of many (lon, lat) points at once; None outside Depok.

    The one rule, for one point or a million: the kelurahan whose closure holds the point; a
    point on a shared border goes to the lowest code, so the answer never depends on file or
    index order. One STRtree query for all the points.
    """
    tree, shapes, codes, parents = _kelurahan_tree()
    n = len(xy)
    if n == 0:
        return [], []
    points = shapely.points(np.asarray(xy, dtype=float))
    # Boxes first, then the exact test with the prepared boundary (STRtree's own predicate
    # would prepare the points instead, which does not help).
    hits = tree.query(points)
    hits = hits[:, shapely.intersects(shapes[hits[1]], points[hits[0]])]
    best = np.full(n, len(codes), dtype=np.int64)
    np.minimum.at(best, hits[0], hits[1])
    kelurahan_codes = [codes[i] if i < len(codes) else None for i in best.tolist()]
    kecamatan_codes = [parents[i] if i < len(codes) else None for i in best.tolist()]
    return kelurahan_codes, kecamatan_codes


@lru_cache(maxsize=1)
def city_outline() -> BaseGeometry:
    return shapely.union_all([k.geometry for k in kecamatan()])


def locate_point(lon: float, lat: float) -> Location:
    """The kelurahan and kecamatan containing (lon, lat) (`locate_points` for one point)."""
    (kelurahan_code,), (kecamatan_code,) = locate_points([(lon, lat)])
    if kelurahan_code is None:
        return OUTSIDE
    return Location(kelurahan_code=kelurahan_code, kecamatan_code=kecamatan_code)


def locate(geom: BaseGeometry) -> Location:
    """Locate a geometry by its representative point (for a polygon, a point inside it)."""
    lon, lat = representative_point(geom)
    return locate_point(lon, lat)


# --- boundaries simplified for a zoom level ----------------------------------------------------

# Metres per screen pixel at zoom 0 at Depok's latitude (6.4° S): 156,543 m x cos(6.4°).
METRES_PER_PIXEL_Z0 = 155_568.0
# From this zoom on, the shipped boundaries are sent as they are.
FULL_DETAIL_ZOOM = 17


def zoom_band(zoom: int) -> int:
    """The zoom whose simplification serves `zoom` (below 9 all look alike; from 17, none)."""
    return max(9, min(int(zoom), FULL_DETAIL_ZOOM))


def tolerance_m(zoom: int) -> float:
    """Simplification tolerance at a zoom: half a screen pixel, so the outline looks the same."""
    band = zoom_band(zoom)
    if band >= FULL_DETAIL_ZOOM:
        return 0.0
    return METRES_PER_PIXEL_Z0 / 2**band / 2


@lru_cache(maxsize=1)
def _by_code() -> dict[str, Boundary]:
    return {b.code: b for b in (*kecamatan(), *kelurahan())}


@lru_cache(maxsize=1024)
def simplified_geojson(code: str, zoom: int) -> dict | None:
    """A shipped district's boundary for a zoom, as a GeoJSON geometry; None for an unknown code.

    Simplified in metres (EPSG:32748) with the topology kept, then rounded to the precision the
    tolerance makes meaningful (5 decimals, about 1 m, once the tolerance passes 4 m). Cached per
    (code, band): 74 districts times 9 bands at most.
    """
    boundary = _by_code().get(code)
    if boundary is None:
        return None
    band = zoom_band(zoom)
    if zoom != band:
        return simplified_geojson(code, band)
    return simplify_for_zoom(boundary.geometry, band)


def simplify_for_zoom(geom: BaseGeometry, zoom: int) -> dict:
    """Any lon/lat geometry simplified for a zoom (uncached: for districts not shipped)."""
    tolerance = tolerance_m(zoom)
    if tolerance == 0:
        return json.loads(shapely.to_geojson(geom))  # full detail: every shipped vertex
    geom = from_utm(to_utm(geom).simplify(tolerance, preserve_topology=True))
    return to_geojson(geom, precision=5 if tolerance >= 4 else 6)
