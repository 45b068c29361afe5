"""Hand-built facility layouts over the real Depok boundaries, and an independent reckoning of
coverage straight from the population-cell table (pyproj and numpy, not the code under test)."""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Transformer

from geodata import boundaries
from geodata.models import PopulationCell

SAWANGAN = "32.76.03"
SPACING_M = 600.0
_TO_UTM = Transformer.from_crs(4326, 32748, always_xy=True)
_TO_LONLAT = Transformer.from_crs(32748, 4326, always_xy=True)


def kecamatan_outline(code: str):
    [item] = [k for k in boundaries.kecamatan() if k.code == code]
    return shapely.transform(
        item.geometry, lambda xy: np.column_stack(_TO_UTM.transform(xy[:, 0], xy[:, 1]))
    )


def grid_nodes(code: str, spacing: float = SPACING_M) -> np.ndarray:
    """(N, 2) UTM nodes of a square grid (origin at multiples of the spacing) inside a kecamatan."""
    outline = kecamatan_outline(code)
    min_x, min_y, max_x, max_y = outline.bounds
    xs = np.arange(np.ceil(min_x / spacing) * spacing, max_x, spacing)
    ys = np.arange(np.ceil(min_y / spacing) * spacing, max_y, spacing)
    gx, gy = np.meshgrid(xs, ys)
    points = shapely.points(gx.ravel(), gy.ravel())
    inside = shapely.contains_properly(outline, points)
    return np.column_stack([gx.ravel()[inside], gy.ravel()[inside]])


def central_node(code: str, nodes: np.ndarray) -> int:
    """Index of the node farthest from the kecamatan border."""
    outline = kecamatan_outline(code)
    return int(np.argmax(shapely.distance(shapely.points(nodes), outline.boundary)))


def edge_node(code: str, nodes: np.ndarray) -> int:
    """Index of the node nearest the kecamatan border."""
    outline = kecamatan_outline(code)
    return int(np.argmin(shapely.distance(shapely.points(nodes), outline.boundary)))


def to_lonlat(x: float, y: float) -> tuple[float, float]:
    lon, lat = _TO_LONLAT.transform(x, y)
    return float(lon), float(lat)


def to_xy(lon: float, lat: float) -> tuple[float, float]:
    x, y = _TO_UTM.transform(lon, lat)
    return float(x), float(y)


def cell_table() -> dict[str, np.ndarray]:
    rows = list(PopulationCell.objects.values_list("x", "y", "population", "kecamatan_id"))
    x, y, population, kecamatan = zip(*rows, strict=True)
    return {
        "x": np.array(x),
        "y": np.array(y),
        "population": np.array(population),
        "kecamatan": np.array(kecamatan, dtype=object),
    }


def expected_coverage(asset, others, radius: float) -> dict:
    """Coverage figures reckoned directly: the catchment and the part no other facility reaches.

    `asset` and each of `others` are Asset rows (their lon/lat is the facility point).
    """
    cells = cell_table()
    ax, ay = to_xy(asset.lon, asset.lat)
    catchment = np.hypot(cells["x"] - ax, cells["y"] - ay) <= radius
    reached = np.zeros(len(cells["x"]), dtype=bool)
    for other in others:
        ox, oy = to_xy(other.lon, other.lat)
        reached |= np.hypot(cells["x"] - ox, cells["y"] - oy) <= radius
    lost = catchment & ~reached
    return {
        "covered_population": round(float(cells["population"][catchment].sum())),
        "newly_uncovered_population": round(float(cells["population"][lost].sum())),
        "lost_kecamatan": sorted(set(cells["kecamatan"][lost & (cells["population"] > 0)])),
    }


def bulk_facilities(points_xy, *, facility_type: str = "sd", prefix: str = "GRID") -> list:
    """Many serving facilities at UTM points, written in one bulk insert (a scenario factory).

    The assets under test are registered through the real service (`make_asset`); the
    background grid only needs to exist, so it skips the per-row service to keep tests quick.
    Each row's geometry fields are derived by the service's own `asset_apply_geometry`.
    """
    from assets_app.models import Asset
    from assets_app.services import asset_apply_geometry

    use = (
        "health" if facility_type in ("posyandu", "pustu", "puskesmas", "hospital") else "education"
    )
    assets = []
    for i, (x, y) in enumerate(points_xy):
        lon, lat = to_lonlat(x, y)
        asset = Asset(
            register_code=f"{prefix}-{facility_type}-{i:04d}",
            name=f"{facility_type.upper()} {prefix} {i}",
            category="building",
            use=use,
            facility_type=facility_type,
            land_area_m2=1500.0,
        )
        asset_apply_geometry(asset, {"type": "Point", "coordinates": [lon, lat]})
        assets.append(asset)
    return Asset.objects.bulk_create(assets)
