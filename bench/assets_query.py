"""Asset register benchmark: GeoPackage import rate and map queries against their floor.

    DEBUG=true .venv/bin/python bench/assets_query.py                   # SQLite (temp file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        DEBUG=true .venv/bin/python bench/assets_query.py               # PostgreSQL

It builds its own throwaway database (a temporary SQLite file, or the PostgreSQL database
`depok_bench` on the server DATABASE_URL names, dropped and created afresh), writes 100,000
synthetic assets (90% points, 10% small squares, spread over Depok) to a GeoPackage and imports
it with the real importer (`assets_app.importing`, all checks on), timing the rows per second.
Then, for a bbox, a radius and a district query that each return about 1,000 features as GeoJSON,
it times at least 30 requests through Django's test client (token auth, filters, paging, the
GeoJSON renderer: the whole stack but the network) and reports the median and p95, next to the
floor: one raw SQL query for the same rows, encoded with orjson into the same FeatureCollection.
Targets: within 1.5x of the floor; import at least 10,000 rows/s.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "true")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"

N_ASSETS = int(os.environ.get("BENCH_ASSETS", "100000"))
TARGET_FEATURES = 1000
REQUESTS = 40
WARMUP = 3
BENCH_DB = "depok_bench"
SEED = 20260101


def _database() -> tuple[str, str]:
    """Point DATABASE_URL at a fresh throwaway database; returns (vendor, description)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parsed = urlparse(url)
        admin = urlunparse(parsed._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
        os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{BENCH_DB}"))
        return "postgresql", f"PostgreSQL database {BENCH_DB} on {parsed.hostname}"
    folder = tempfile.mkdtemp(prefix="depok-bench-")
    path = os.path.join(folder, "bench.sqlite3")
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    return "sqlite", f"SQLite file {path}"


VENDOR, WHERE = _database()

import django  # noqa: E402

django.setup()

import orjson  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

import geopandas  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402

from assets_app.importing import assets_import_file  # noqa: E402
from assets_app.models import Asset  # noqa: E402
from assets_app.selectors import OUTPUT_FIELDS, asset_columns, json_value  # noqa: E402
from core.roles import PLANNER  # noqa: E402
from core.services import user_create_with_roles  # noqa: E402
from geodata import boundaries  # noqa: E402
from geodata.spatial import from_utm, parse_bbox, radius_bbox, to_utm  # noqa: E402

# Production runs without DEBUG: no query log, no debug cursor.
settings.DEBUG = False


def build_geopackage(path: str) -> None:
    rng = np.random.default_rng(SEED)
    outline = boundaries.city_outline()
    shapely.prepare(outline)
    min_lon, min_lat, max_lon, max_lat = outline.bounds
    xs, ys = [], []
    while sum(len(x) for x in xs) < N_ASSETS:
        x = rng.uniform(min_lon, max_lon, N_ASSETS)
        y = rng.uniform(min_lat, max_lat, N_ASSETS)
        inside = shapely.contains_xy(outline.buffer(-0.001), x, y)
        xs.append(x[inside])
        ys.append(y[inside])
    x = np.concatenate(xs)[:N_ASSETS]
    y = np.concatenate(ys)[:N_ASSETS]
    geoms = shapely.points(x, y)
    # every tenth asset is a small square site (about 40 m), drawn in metres
    squares = np.arange(0, N_ASSETS, 10)
    utm = [to_utm(shapely.Point(x[i], y[i])) for i in squares]
    geoms[squares] = [from_utm(shapely.box(p.x - 20, p.y - 20, p.x + 20, p.y + 20)) for p in utm]
    uses = np.array(["education", "health", "office", "vacant", "sports"])
    use = uses[rng.integers(0, len(uses), N_ASSETS)]
    facility = np.where(use == "education", "sd", np.where(use == "health", "posyandu", ""))
    frame = geopandas.GeoDataFrame(
        {
            "register_code": [f"BENCH-{i:06d}" for i in range(N_ASSETS)],
            "name": [f"Bench asset {i}" for i in range(N_ASSETS)],
            "category": np.where(use == "vacant", "land", "building"),
            "use": use,
            "facility_type": facility,
            "land_area_m2": np.round(rng.uniform(50, 5000, N_ASSETS), 1),
            "condition": "good",
            "status": "in_service",
        },
        geometry=geoms,
        crs="EPSG:4326",
    )
    frame.to_file(path, driver="GPKG", layer="assets", engine="pyogrio")


def timed(fn, runs: int) -> list[float]:
    for _ in range(WARMUP):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def floor_for(ids: list[int], where: str | None = None, where_params=()):
    """One raw SQL query for these rows, encoded with orjson as the same FeatureCollection.

    By default the rows are fetched by id (the strictest floor: no spatial predicate at all);
    with `where`, by the query's own indexed SQL predicate (the bbox columns or the district).
    """
    table = Asset._meta.db_table
    columns = [Asset._meta.get_field(c).column for c in asset_columns()]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    if where is None:
        placeholders = ", ".join(["%s"] * len(ids))
        sql = f"SELECT {quoted} FROM {table} WHERE id IN ({placeholders}) ORDER BY id"
        params = ids
    else:
        sql = f"SELECT {quoted} FROM {table} WHERE {where} LIMIT 1000"
        params = list(where_params)
    geometry_at = OUTPUT_FIELDS.index("geometry")
    names = [n for n in OUTPUT_FIELDS if n != "geometry"]

    def run() -> bytes:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        features = []
        for row in rows:
            geometry = row[geometry_at]
            values = row[:geometry_at] + row[geometry_at + 1 :]
            features.append(
                {
                    "type": "Feature",
                    "id": row[0],
                    "geometry": orjson.Fragment(geometry)
                    if isinstance(geometry, str | bytes)
                    else geometry,
                    "properties": {n: json_value(v) for n, v in zip(names, values, strict=True)},
                }
            )
        return orjson.dumps(
            {
                "type": "FeatureCollection",
                "numberMatched": len(features),
                "numberReturned": len(features),
                "links": [],
                "features": features,
            }
        )

    return run


def main() -> None:
    print(f"Asset register benchmark on {WHERE}")
    call_command("migrate", verbosity=0)

    with tempfile.TemporaryDirectory() as folder:
        gpkg = os.path.join(folder, "assets.gpkg")
        start = time.perf_counter()
        build_geopackage(gpkg)
        took = time.perf_counter() - start
        print(f"  wrote {N_ASSETS:,} synthetic assets to a GeoPackage in {took:.1f} s")
        start = time.perf_counter()
        report = assets_import_file(path=gpkg, user=None)
        elapsed = time.perf_counter() - start
    assert not report["errors"], report["errors"][:5]
    assert report["created"] == N_ASSETS
    rate = N_ASSETS / elapsed
    print(
        f"import: {N_ASSETS:,} rows from GeoPackage in {elapsed:.2f} s = {rate:,.0f} rows/s "
        f"(target >= 10,000) {'OK' if rate >= 10_000 else 'BELOW TARGET'}"
    )
    if VENDOR == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE assets_app_asset")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    _, token = user_create_with_roles(username="bench", password=None, roles=[PLANNER])
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")

    def count(params: dict) -> int:
        response = client.get("/api/v1/assets/", {**params, "limit": 1})
        assert response.status_code == 200, response.content[:300]
        return response.json()["count"]

    centre = (106.8200, -6.3900)
    # the bbox half-width and the radius giving about TARGET_FEATURES features
    low, high = 0.001, 0.05
    for _ in range(25):
        half = (low + high) / 2
        box = f"{centre[0] - half},{centre[1] - half},{centre[0] + half},{centre[1] + half}"
        if count({"bbox": box}) < TARGET_FEATURES:
            low = half
        else:
            high = half
    low, high = 50.0, 5000.0
    for _ in range(25):
        radius = (low + high) / 2
        if count({"near": f"{centre[0]},{centre[1]}", "radius": radius}) < TARGET_FEATURES:
            low = radius
        else:
            high = radius
    radius = round(high, 1)
    sizes = {k.code: count({"district": k.code}) for k in boundaries.kelurahan()}
    kelurahan = min(sizes, key=lambda c: abs(sizes[c] - TARGET_FEATURES))

    cases = {
        "bbox": {"bbox": box},
        "radius": {"near": f"{centre[0]},{centre[1]}", "radius": radius},
        "district": {"district": kelurahan},
    }
    box_sql = "min_lon <= %s AND max_lon >= %s AND min_lat <= %s AND max_lat >= %s"

    def box_params(b):
        return (b.max_lon, b.min_lon, b.max_lat, b.min_lat)

    predicates = {
        "bbox": (box_sql, box_params(parse_bbox(box))),
        "radius": (box_sql, box_params(radius_bbox(centre[0], centre[1], radius))),
        "district": ("kelurahan_code = %s", (kelurahan,)),
    }
    print(
        f"queries ({REQUESTS} requests each after {WARMUP} warm-up, GeoJSON, limit 1000, "
        "Django test client with token auth):"
    )
    print(
        f"  {'query':<9} {'features':>8} {'median ms':>10} {'p95 ms':>8} "
        f"{'floor ms':>9} {'ratio':>6}   {'SQL-predicate floor ms':>22} {'ratio':>6}"
    )
    ratios = []
    for name, params in cases.items():
        params = {**params, "format": "geojson", "limit": 1000}
        response = client.get("/api/v1/assets/", params)
        assert response.status_code == 200, response.content[:300]
        body = orjson.loads(response.content)
        ids = [f["id"] for f in body["features"]]
        floor = floor_for(sorted(ids))
        floor_body = orjson.loads(floor())
        assert [f["id"] for f in floor_body["features"]] == sorted(ids)
        api_times = timed(lambda params=params: client.get("/api/v1/assets/", params), REQUESTS)
        floor_times = timed(floor, REQUESTS)
        predicate_times = timed(floor_for([], *predicates[name]), REQUESTS)
        predicate_median = statistics.median(predicate_times)
        median = statistics.median(api_times)
        floor_median = statistics.median(floor_times)
        ratio = median / floor_median
        ratios.append(ratio)
        print(
            f"  {name:<9} {len(ids):>8} {median * 1000:>10.1f} {p95(api_times) * 1000:>8.1f} "
            f"{floor_median * 1000:>9.1f} {ratio:>5.2f}x   {predicate_median * 1000:>22.1f} "
            f"{median / predicate_median:>5.2f}x"
        )
    print(f"  (bbox {box}; radius {radius} m around {centre[0]},{centre[1]}; district {kelurahan})")
    print(
        "  floor: the same rows by id in one raw SQL query, encoded with orjson; SQL-predicate "
        "floor: one raw query with the request's indexed prefilter (bbox columns or district), "
        "up to 1,000 rows"
    )
    worst = max(ratios)
    print(
        f"worst ratio to the floor: {worst:.2f}x (target <= 1.5x) "
        f"{'OK' if worst <= 1.5 else 'ABOVE TARGET'}"
    )


if __name__ == "__main__":
    main()
