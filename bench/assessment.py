"""Repurposing assessment benchmark: one assessment, and `assess_assets` for the whole register.

    DEBUG=true .venv/bin/python bench/assessment.py                     # SQLite (temp file)
    DATABASE_URL=postgres://postgres@127.0.0.1/x DEBUG=true .venv/bin/python bench/assessment.py

It builds its own throwaway database (a temporary SQLite file, or the PostgreSQL database
`depok_bench_assessment` on the server DATABASE_URL names, dropped and created afresh), migrates
it (districts, service standards, the 4,656 population cells) and writes 5,000 synthetic
education and health assets at seeded random points inside Depok, with a realistic mix of
facility types (many SD, PAUD and posyandu; few hospitals) and statuses. Then it times:

- one assessment through the service (`asset_assess`: load the asset, the serving facilities of
  its type, the cells and the standard, compute, store the flag), median over 200 assets;
- the same through the HTTP stack (`GET /api/v1/assets/{id}/assessment/`), median over 50;
- `assets_assess()` (what `manage.py assess_assets` runs) for all 5,000, median of 3 runs.

Targets: one assessment under 100 ms (median), all assets under 60 s.
"""

from __future__ import annotations

import os
import random
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

N_ASSETS = 5_000
SINGLE_RUNS = 200
HTTP_RUNS = 50
ALL_RUNS = 3
SEED = 20260104
TARGET_ONE_MS = 100.0
TARGET_ALL_S = 60.0
BENCH_DB = "depok_bench_assessment"
# Share of each facility type among the 5,000 (SD, PAUD and posyandu are the many small ones).
MIX = {
    "sd": 0.30, "paud": 0.22, "posyandu": 0.25, "smp": 0.09, "sma": 0.04, "pustu": 0.05,
    "puskesmas": 0.04, "hospital": 0.01,
}  # fmt: skip
STATUSES = {"in_service": 0.8, "underused": 0.1, "idle": 0.1}


def _database() -> str:
    """Point DATABASE_URL at a fresh throwaway database; returns a description."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parsed = urlparse(url)
        admin = urlunparse(parsed._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
        os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{BENCH_DB}"))
        return f"PostgreSQL database {BENCH_DB} on {parsed.hostname}"
    folder = tempfile.mkdtemp(prefix="depok-bench-")
    path = os.path.join(folder, "bench.sqlite3")
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    return f"SQLite file {path}"


WHERE = _database()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

import numpy as np  # noqa: E402
import shapely  # noqa: E402

from assets_app.models import Asset  # noqa: E402
from assets_app.repurposing import asset_assess, assets_assess  # noqa: E402
from assets_app.services import asset_set_derived, geometries_derive  # noqa: E402
from geodata.boundaries import city_outline  # noqa: E402


def random_points(n: int, rng: np.random.Generator) -> list[tuple[float, float]]:
    outline = city_outline()
    shapely.prepare(outline)
    min_lon, min_lat, max_lon, max_lat = outline.bounds
    points: list[tuple[float, float]] = []
    while len(points) < n:
        lon = rng.uniform(min_lon, max_lon, 2 * n)
        lat = rng.uniform(min_lat, max_lat, 2 * n)
        inside = shapely.contains_xy(outline, lon, lat)
        points.extend(
            zip(lon[inside].round(7).tolist(), lat[inside].round(7).tolist(), strict=True)
        )
    return points[:n]


def build_register(n: int) -> None:
    rng = np.random.default_rng(SEED)
    types = rng.choice(list(MIX), size=n, p=list(MIX.values()))
    statuses = rng.choice(list(STATUSES), size=n, p=list(STATUSES.values()))
    points = random_points(n, rng)
    # Geometry and what the register derives from it (bbox, points, district), as the services
    # store them, for all the points at once.
    derived = geometries_derive(shapely.points(points))
    assets = []
    for i, (facility_type, status) in enumerate(zip(types, statuses, strict=True)):
        use = (
            "health"
            if facility_type in ("posyandu", "pustu", "puskesmas", "hospital")
            else "education"
        )
        asset = Asset(
            register_code=f"BENCH-{i:05d}",
            name=f"SYNTHETIC {facility_type} {i}",
            category="building",
            use=use,
            facility_type=str(facility_type),
            status=str(status),
            land_area_m2=float(rng.uniform(50, 5000)),
        )
        asset_set_derived(asset, derived, i)
        assets.append(asset)
    Asset.objects.bulk_create(assets, batch_size=1000)


def timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> None:
    print(f"database: {WHERE}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(
        f"migrate (districts, standards, population cells): {time.perf_counter() - started:.1f} s"
    )
    build_register(N_ASSETS)
    counts = dict(
        Asset.objects.values_list("facility_type").annotate(n=django.db.models.Count("id"))
    )
    print(f"register: {Asset.objects.count()} assets {counts}")

    ids = list(Asset.objects.values_list("id", flat=True))
    rng = random.Random(SEED)
    sample = rng.sample(ids, SINGLE_RUNS)
    cold = timed(lambda: asset_assess(asset=Asset(pk=sample[0])))
    one = [timed(lambda pk=pk: asset_assess(asset=Asset(pk=pk))) * 1000 for pk in sample]
    one_median = statistics.median(one)
    print(
        f"one assessment (service, {SINGLE_RUNS} assets): median {one_median:.1f} ms, "
        f"p95 {statistics.quantiles(one, n=20)[-1]:.1f} ms, first call (cold cache) "
        f"{cold * 1000:.0f} ms (target median < {TARGET_ONE_MS:.0f} ms)"
    )

    from rest_framework.test import APIClient

    from core.services import user_create_with_roles

    _user, token = user_create_with_roles(username="bench", password=None, roles=["planner"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    http = []
    for pk in sample[:HTTP_RUNS]:
        started = time.perf_counter()
        response = client.get(f"/api/v1/assets/{pk}/assessment/")
        http.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content
    print(f"one assessment (HTTP GET, {HTTP_RUNS} assets): median {statistics.median(http):.1f} ms")

    runs = []
    for _ in range(ALL_RUNS):
        started = time.perf_counter()
        result = assets_assess()
        runs.append(time.perf_counter() - started)
    all_median = statistics.median(runs)
    print(
        f"assess_assets for all {result['assessed']}: median {all_median:.2f} s of {ALL_RUNS} "
        f"(target < {TARGET_ALL_S:.0f} s); {result['repurposable']} repurposable"
    )
    assert one_median < TARGET_ONE_MS, f"one assessment {one_median:.1f} ms is over the target"
    assert all_median < TARGET_ALL_S, f"all assets {all_median:.1f} s is over the target"


if __name__ == "__main__":
    main()
