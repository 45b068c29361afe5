"""Files for timing `manage.py import_assets` end to end (start-up included).

    .venv/bin/python bench/import_files.py /tmp/bench_import      # assets.csv, assets.gpkg
    BENCH_ASSETS=100000 .venv/bin/python bench/import_files.py DIR

Writes DIR/assets.csv (lon/lat points, the shape a spreadsheet export has) and DIR/assets.gpkg
(90% points, 10% small squares, as `bench/assets_query.py` imports), both with BENCH_ASSETS
synthetic assets spread over Depok. Then time the command on a fresh, migrated database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME bench/import_cli.sh DIR/assets.csv

It needs no database itself: the city outline comes from the shipped boundary files.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402

from geodata import boundaries  # noqa: E402
from geodata.spatial import from_utm, to_utm  # noqa: E402

N_ASSETS = int(os.environ.get("BENCH_ASSETS", "100000"))
SEED = 20260101


def _points_inside(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """`n` random lon/lat points at least about 100 m inside the city outline."""
    outline = boundaries.city_outline()
    inner = outline.buffer(-0.001)
    shapely.prepare(inner)
    min_lon, min_lat, max_lon, max_lat = outline.bounds
    xs, ys = [], []
    while sum(len(x) for x in xs) < n:
        x = rng.uniform(min_lon, max_lon, n)
        y = rng.uniform(min_lat, max_lat, n)
        inside = shapely.contains_xy(inner, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def _attributes(rng: np.random.Generator, n: int) -> dict[str, object]:
    uses = np.array(["education", "health", "office", "vacant", "sports"])
    use = uses[rng.integers(0, len(uses), n)]
    return {
        "register_code": [f"BENCH-{i:06d}" for i in range(n)],
        "name": [f"Bench asset {i}" for i in range(n)],
        "category": np.where(use == "vacant", "land", "building"),
        "use": use,
        "facility_type": np.where(
            use == "education", "sd", np.where(use == "health", "posyandu", "")
        ),
        "land_area_m2": np.round(rng.uniform(50, 5000, n), 1),
        "condition": "good",
        "status": "in_service",
    }


def write_csv(path: Path, n: int = N_ASSETS) -> None:
    rng = np.random.default_rng(SEED)
    x, y = _points_inside(rng, n)
    frame = pd.DataFrame(_attributes(rng, n))
    frame["lon"] = np.round(x, 7)
    frame["lat"] = np.round(y, 7)
    frame.to_csv(path, index=False)


def write_geopackage(path: Path, n: int = N_ASSETS) -> None:
    rng = np.random.default_rng(SEED)
    x, y = _points_inside(rng, n)
    geoms = shapely.points(x, y)
    # Every tenth asset is a small square site (about 40 m), drawn in metres.
    squares = np.arange(0, n, 10)
    utm = [to_utm(shapely.Point(x[i], y[i])) for i in squares]
    geoms[squares] = [from_utm(shapely.box(p.x - 20, p.y - 20, p.x + 20, p.y + 20)) for p in utm]
    frame = geopandas.GeoDataFrame(_attributes(rng, n), geometry=geoms, crs="EPSG:4326")
    frame.to_file(path, driver="GPKG", layer="assets", engine="pyogrio")


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/bench_import")
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "assets.csv")
    write_geopackage(folder / "assets.gpkg")
    print(f"{N_ASSETS} assets in {folder / 'assets.csv'} and {folder / 'assets.gpkg'}")


if __name__ == "__main__":
    main()
