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

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from geodata.spatial import representative_point

DATA_DIR = Path(__file__).resolve().parent / "data"
KECAMATAN_FILE = DATA_DIR / "depok_kecamatan.geojson"
KELURAHAN_FILE = DATA_DIR / "depok_kelurahan.geojson"
POPULATION_FILE = DATA_DIR / "population.csv"

CITY_CODE = "32.76"
CITY_NAME = "Kota Depok"
POPULATION_SOURCE_2010 = "BPS, Sensus Penduduk 2010 (Hasil Olah Cepat)"


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
def _kelurahan_index() -> tuple[STRtree, tuple[Boundary, ...]]:
    items = kelurahan()
    for item in items:
        shapely.prepare(item.geometry)
    return STRtree([item.geometry for item in items]), items


@lru_cache(maxsize=1)
def city_outline() -> BaseGeometry:
    return shapely.union_all([k.geometry for k in kecamatan()])


def locate_point(lon: float, lat: float) -> Location:
    """The kelurahan and kecamatan containing (lon, lat).

    A point on a shared border belongs to both neighbours' closures; it is given to the one with
    the lowest code, so the answer never depends on file or index order.
    """
    tree, items = _kelurahan_index()
    point = shapely.Point(lon, lat)
    hits = [items[i] for i in tree.query(point, predicate="intersects")]
    if not hits:
        return OUTSIDE
    best = min(hits, key=lambda b: b.code)
    return Location(kelurahan_code=best.code, kecamatan_code=best.parent_code)


def locate(geom: BaseGeometry) -> Location:
    """Locate a geometry by its representative point (for a polygon, a point inside it)."""
    lon, lat = representative_point(geom)
    return locate_point(lon, lat)
