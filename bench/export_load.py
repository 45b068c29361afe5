"""Export load benchmark: 20 concurrent CSV exports and 20 map clients against a 50,000-asset
register, while /healthz is polled every 100 ms; the health check must stay within 1 s.

    DEBUG=true .venv/bin/python bench/export_load.py [--assets 50000] [--exporters 20]
        [--map-clients 20] [--seconds 60] [--workers 3] [--threads 4] [--format csv]

It creates a fresh PostgreSQL database (`depok_export_load` on the local server, or
`BENCH_DATABASE_URL`), migrates it, writes `--assets` synthetic assets through the real importer
(points spread over Depok), starts gunicorn on a free loopback port with production settings
(DEBUG off; EXPORT_MAX_CONCURRENT and EXPORT_MAX_ROWS from the environment or the settings'
defaults) and runs, for `--seconds`: exporters that each download the whole register again and
again (a 503 "too many exports" is waited out for its Retry-After, at most 1 s here, and
counted), planners panning the map (assets in a random box as GeoJSON, 0.1-0.4 s think time),
and one poller asking /healthz every 100 ms (30 s timeout). It prints the health check's max,
p99 and p50, the exports finished and refused, their rows per second, and the map requests'
p50/p99. Only loopback addresses are used; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from load import map_box_call  # noqa: E402  (bench/load.py: the map client's request)
from loadkit import (  # noqa: E402  (bench/loadkit.py: server start-up and the HTTP client)
    GUNICORN,
    PG,
    PY,
    Client,
    free_port,
    percentile,
    psql,
    server_env,
    wait_for_health,
)

DB_NAME = "depok_export_load"
HEALTH_TIMEOUT = 30
SEED = 20260606


def build_register(n: int) -> None:
    """Runs in a child process with DATABASE_URL set: `n` synthetic assets via the importer."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import numpy as np
    import shapely

    from assets_app.importing import assets_import_table, table_from_records
    from geodata import boundaries

    rng = np.random.default_rng(SEED)
    outline = boundaries.city_outline().buffer(-0.001)
    shapely.prepare(outline)
    min_lon, min_lat, max_lon, max_lat = outline.bounds
    xs, ys = [], []
    while sum(len(x) for x in xs) < n:
        x = rng.uniform(min_lon, max_lon, n)
        y = rng.uniform(min_lat, max_lat, n)
        inside = shapely.contains_xy(outline, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
    x, y = np.concatenate(xs)[:n], np.concatenate(ys)[:n]
    uses = ["education", "health", "office", "vacant", "sports"]
    records = []
    for i in range(n):
        use = uses[i % len(uses)]
        records.append(
            {
                "register_code": f"EXP-{i:06d}",
                "name": f"Bench asset {i}",
                "category": "land" if use == "vacant" else "building",
                "use": use,
                "facility_type": {"education": "sd", "health": "posyandu"}.get(use, ""),
                "custodian": "Dinas Pendidikan" if use == "education" else "BKAD",
                "address": f"Jl. Bench No. {i}",
                "land_area_m2": float(round(rng.uniform(50, 5000), 1)),
                "condition": "good",
                "status": "in_service",
            }
        )
    geometries = list(shapely.points(x, y))
    report = assets_import_table(table=table_from_records(records, geometries), user=None)
    if report["errors"]:
        raise SystemExit(f"import failed: {report['errors'][:3]}")
    print(f"register: {report['created']} assets")


def exporter(port: int, token: str, path: str, stop: float, out: dict, lock) -> None:
    client = Client(port, token, [])
    client.conn.timeout = 300
    while time.time() < stop:
        started = time.perf_counter()
        status, _ = client.call("GET", path, parse=False)
        elapsed = time.perf_counter() - started
        with lock:
            out["statuses"][status] += 1
            if status == 200:
                out["seconds"].append(elapsed)
        if status != 200:
            time.sleep(1.0)  # Retry-After says 5 s; 1 s keeps the pressure on


def planner(port: int, token: str, rng: random.Random, stop: float, log: list) -> None:
    client = Client(port, token, log)
    while time.time() < stop:
        map_box_call(client, rng, kind="map")
        time.sleep(rng.uniform(0.1, 0.4))


def health_poller(port: int, stop: float, samples: list) -> None:
    while time.time() < stop:
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HEALTH_TIMEOUT)
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            status = response.status
            conn.close()
        except (OSError, http.client.HTTPException):
            status = 0
        elapsed = time.perf_counter() - started
        samples.append((elapsed, status))
        time.sleep(max(0.0, 0.1 - elapsed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=50_000)
    parser.add_argument("--exporters", type=int, default=20)
    parser.add_argument("--map-clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--format", default="csv", choices=["csv", "geojson", "gpkg"])
    args = parser.parse_args()

    database = os.environ.get("BENCH_DATABASE_URL", f"{PG}/{DB_NAME}")
    if "BENCH_DATABASE_URL" not in os.environ:
        psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        psql(f"CREATE DATABASE {DB_NAME}")
    env = server_env(database)

    def manage(*cmd: str, capture: bool = False) -> str:
        result = subprocess.run(
            [PY, "manage.py", *cmd], cwd=ROOT, env=env, check=True, text=True,
            capture_output=capture,
        )  # fmt: skip
        return result.stdout or ""

    t0 = time.perf_counter()
    manage("migrate", "--noinput", "-v", "0")
    subprocess.run(
        [PY, __file__, "--build", str(args.assets)],
        cwd=ROOT, env={**env, "DEBUG": "true"}, check=True,
    )  # fmt: skip
    token = manage("create_user", "bench_planner", "--role", "planner", capture=True)
    token = token.strip().split("\t")[-1]
    print(f"database ready in {time.perf_counter() - t0:.1f} s")

    port = free_port()
    server = subprocess.Popen(
        [GUNICORN, "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(args.workers),
         "-k", "gthread", "--threads", str(args.threads), "--log-level", "warning",
         "--timeout", "300"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        wait_for_health(port)

        exports = {"statuses": Counter(), "seconds": []}
        lock = threading.Lock()
        map_log: list = []
        health: list = []
        stop = time.time() + args.seconds
        path = f"/api/v1/assets/export/?format={args.format}"
        threads = [threading.Thread(target=health_poller, args=(port, stop, health))]
        threads += [
            threading.Thread(target=exporter, args=(port, token, path, stop, exports, lock))
            for _ in range(args.exporters)
        ]
        threads += [
            threading.Thread(target=planner, args=(port, token, random.Random(i), stop, map_log))
            for i in range(args.map_clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.seconds + 330)
    finally:
        server.terminate()
        server.wait(timeout=30)

    times = [s for s, _ in health]
    bad = sum(1 for _, status in health if status != 200)
    print(
        f"\n/healthz: {len(times)} polls, max {1000 * max(times):.0f} ms, "
        f"p99 {1000 * percentile(times, 0.99):.0f} ms, p50 {1000 * statistics.median(times):.0f}"
        f" ms, not 200: {bad} (target: max within 1000 ms)"
    )
    done = exports["seconds"]
    print(
        f"exports ({args.format}, {args.assets} assets each): {len(done)} finished, statuses "
        f"{dict(sorted(exports['statuses'].items()))}"
        + (
            f", {statistics.median(done):.1f} s median each, "
            f"{args.assets * len(done) / args.seconds:.0f} rows/s served in all"
            if done
            else ""
        )
    )
    map_times = [r[1] for r in map_log]
    map_statuses = Counter(r[2] for r in map_log)
    if map_times:
        print(
            f"map bbox requests: {len(map_times)}, p50 {1000 * statistics.median(map_times):.0f}"
            f" ms, p99 {1000 * percentile(map_times, 0.99):.0f} ms, statuses "
            f"{dict(sorted(map_statuses.items()))}"
        )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--build":
        build_register(int(sys.argv[2]))
    else:
        main()
