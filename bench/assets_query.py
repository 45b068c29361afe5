"""Asset register benchmark: GeoPackage import rate and map queries against their floor.

    DEBUG=true .venv/bin/python bench/assets_query.py                   # SQLite (temp file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        DEBUG=true .venv/bin/python bench/assets_query.py               # PostgreSQL

It builds its own throwaway database (a temporary SQLite file, or on the PostgreSQL server
DATABASE_URL names the database `depok_bench`, or the URL's own database when its name ends in
`bench`, dropped and created afresh), writes 100,000
synthetic assets (90% points, 10% small squares, spread over Depok) to a GeoPackage and imports
it with the real importer (`assets_app.importing`, all checks on), timing the rows per second.
Then, for a bbox, a radius and a district query that each return about 1,000 features as GeoJSON,
it times at least 30 requests through Django's test client (token auth, filters, paging, the
GeoJSON renderer: the whole stack but the network, in a process settled as config/wsgi.py
settles a server's) and reports the median and p95, next to the
floor: one raw SQL query for the same rows, encoded with orjson into the same FeatureCollection.
The bbox and radius queries run twice more with `properties=` and five names (what a map draws):
against a floor that reads just those five columns, with id and geometry, in one raw query.
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
# `properties=` cases: five of the register's names, what the map draws of an asset.
PROPERTY_NAMES = ("name", "use", "status", "facility_type", "repurposable")
SEED = 20260101


def _database() -> tuple[str, str]:
    """Point DATABASE_URL at a fresh throwaway database; returns (vendor, description)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parsed = urlparse(url)
        # Only a database named as a throwaway is dropped (never the one a URL names for work).
        named = parsed.path.lstrip("/")
        bench_db = named if named.endswith("bench") and named.isidentifier() else BENCH_DB
        admin = urlunparse(parsed._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {bench_db}")
            conn.execute(f"CREATE DATABASE {bench_db}")
        os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{bench_db}"))
        return "postgresql", f"PostgreSQL database {bench_db} on {parsed.hostname}"
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
from django.urls import get_resolver  # noqa: E402

import geopandas  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402

from assets_app.importing import assets_import_file  # noqa: E402
from assets_app.models import Asset  # noqa: E402
from assets_app.selectors import OUTPUT_FIELDS, asset_output_rows  # noqa: E402
from core.roles import PLANNER  # noqa: E402
from core.runtime import settle_after_start  # noqa: E402
from core.services import user_create_with_roles  # noqa: E402
from geodata import boundaries  # noqa: E402
from geodata.spatial import from_utm, to_utm  # noqa: E402

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


def timed_pair(api, floor, runs: int) -> tuple[list[float], list[float]]:
    """Time `api` and `floor` alternately (after warm-up), so load on a shared machine hits both."""
    for _ in range(WARMUP):
        api()
        floor()
    api_times, floor_times = [], []
    for _ in range(runs):
        for fn, times in ((api, api_times), (floor, floor_times)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return api_times, floor_times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def floor_for(ids: list[int], distances: dict | None = None):
    """The floor: the same rows in one raw SQL query by id, encoded with orjson as the same
    FeatureCollection, byte for byte the features the API answers (a radius query's
    `distance_m` values are handed to it: the floor does no spatial work at all).

    The values are made JSON-ready the cheapest correct way (`asset_output_rows`: times read as
    text, no ORM converters); anything less would answer different bytes (SQLite's raw 0/1 for
    booleans, times without their zone), which is not the same response.
    """
    geometry_at = OUTPUT_FIELDS.index("geometry")
    names = [n for n in OUTPUT_FIELDS if n != "geometry"]

    def run() -> bytes:
        features = []
        for row in asset_output_rows(ids):
            values = row[:geometry_at] + row[geometry_at + 1 :]
            properties = dict(zip(names, values, strict=True))
            if distances is not None:
                properties["distance_m"] = distances[row[0]]
            features.append(
                {
                    "type": "Feature",
                    "id": row[0],
                    "geometry": orjson.Fragment(row[geometry_at]),
                    "properties": properties,
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


def floor_properties_for(ids: list[int], names: tuple[str, ...]):
    """The floor of a `properties=` request: id, geometry and these columns of the rows in one
    raw SQL query by id, encoded with orjson into the same FeatureCollection (whose features'
    properties repeat the id, as every GeoJSON list of the API does). The names are text and
    boolean columns, which both drivers hand over JSON-ready."""
    quote = connection.ops.quote_name
    columns = [Asset._meta.get_field(n).column for n in names]
    select = ", ".join(quote(c) for c in ("id", "geometry", *columns))
    table = quote(Asset._meta.db_table)
    if VENDOR == "postgresql":
        sql, params = f"SELECT {select} FROM {table} WHERE id = ANY(%s)", [list(ids)]
    else:
        marks = ", ".join(["%s"] * len(ids))
        sql, params = f"SELECT {select} FROM {table} WHERE id IN ({marks})", list(ids)
    keys = ("id", *names)

    def run() -> bytes:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        by_id = {row[0]: row for row in rows}
        features = []
        for pk in ids:
            row = by_id[pk]
            features.append(
                {
                    "type": "Feature",
                    "id": pk,
                    "geometry": orjson.Fragment(row[1]),
                    "properties": dict(zip(keys, (pk, *row[2:]), strict=True)),
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


def load() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


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
        f"(target >= 10,000) {'OK' if rate >= 10_000 else 'BELOW TARGET'}; load {load()}"
    )
    if VENDOR == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE assets_app_asset")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    _, token = user_create_with_roles(username="bench", password=None, roles=[PLANNER])
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    # The process as config/wsgi.py leaves a server's: every view module imported, then what
    # start-up loaded frozen out of the garbage collector's reach (the floor runs in it too).
    get_resolver().check()
    settle_after_start()

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
    # the smallest box found that holds at least TARGET_FEATURES (not the last one tried)
    box = f"{centre[0] - high},{centre[1] - high},{centre[0] + high},{centre[1] + high}"
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
        "bbox 5p": {"bbox": box, "properties": ",".join(PROPERTY_NAMES)},
        "radius 5p": {
            "near": f"{centre[0]},{centre[1]}",
            "radius": radius,
            "properties": ",".join(PROPERTY_NAMES),
        },
    }
    print(
        f"queries ({REQUESTS} requests each after {WARMUP} warm-up, alternating with the floor; "
        "GeoJSON, limit 1000, Django test client with token auth):"
    )
    print(
        f"  {'query':<10} {'matched':>7} {'returned':>8} {'median ms':>10} {'p95 ms':>8} "
        f"{'floor ms':>9} {'floor p95':>9} {'ratio':>6} {'paired':>7}  {'load 1/5/15 min':>15}"
    )
    ratios = []
    for name, params in cases.items():
        params = {**params, "format": "geojson", "limit": 1000}
        response = client.get("/api/v1/assets/", params)
        assert response.status_code == 200, response.content[:300]
        body = orjson.loads(response.content)
        ids = [f["id"] for f in body["features"]]
        if "properties" in params:
            floor = floor_properties_for(ids, PROPERTY_NAMES)
        else:
            distances = None
            if "near" in params:
                distances = {f["id"]: f["properties"]["distance_m"] for f in body["features"]}
            floor = floor_for(ids, distances)
        # The floor answers the very same features.
        assert orjson.loads(floor())["features"] == body["features"]
        api_times, floor_times = timed_pair(
            lambda params=params: client.get("/api/v1/assets/", params), floor, REQUESTS
        )
        median = statistics.median(api_times)
        floor_median = statistics.median(floor_times)
        ratio = median / floor_median
        ratios.append(ratio)
        # Each request against the floor run just after it: a drift in the machine's speed
        # during the run moves both, so this one shows how far the ratio above is noise.
        paired = statistics.median(a / f for a, f in zip(api_times, floor_times, strict=True))
        print(
            f"  {name:<10} {body['numberMatched']:>7} {len(ids):>8} {median * 1000:>10.1f} "
            f"{p95(api_times) * 1000:>8.1f} {floor_median * 1000:>9.1f} "
            f"{p95(floor_times) * 1000:>9.1f} {ratio:>5.2f}x {paired:>6.2f}x  {load():>15}"
        )
    print(f"  (bbox {box}; radius {radius} m around {centre[0]},{centre[1]}; district {kelurahan})")
    print(f"  (5p: properties={','.join(PROPERTY_NAMES)}, floor reads those columns only)")
    print(
        "  floor: the same rows by id in one raw SQL query, encoded with orjson into the same "
        "features; ratio = median / floor median; paired = median of each request / the floor "
        "run right after it"
    )
    worst = max(ratios)
    print(
        f"worst ratio to the floor: {worst:.2f}x (target <= 1.5x) "
        f"{'OK' if worst <= 1.5 else 'ABOVE TARGET'}"
    )


if __name__ == "__main__":
    main()
