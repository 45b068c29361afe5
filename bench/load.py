"""Load benchmark: the service under gunicorn on PostgreSQL, 50 concurrent clients for 60 s.

    DEBUG=true .venv/bin/python bench/load.py [--clients 50] [--seconds 60]
        [--workers 3] [--threads 4] [--client-side-binding] [--access-log FILE]

It creates a fresh database (`depok_load` on the local PostgreSQL server, or `BENCH_DATABASE_URL`),
migrates it, loads the synthetic demo register, starts gunicorn on a free loopback port with
production settings (DEBUG off), and prepares everything over the HTTP API: outlets on assets
approved for economic use, their stalls, an open allocation round and registered vendors.

Then `--clients` threads run for `--seconds`, each a person with a short think time (0.1-0.4 s,
uniform): planners pan the map (assets in a random bounding box as GeoJSON, outlets near a
point, district statistics), vendors apply once and then keep reading their applications and
offers and accept an offer when they get one, and one outlet manager closes and allocates the
round a third of the way in and reads its results. It prints requests per second, p50/p99
latency per kind of request, overall and per 10 s of the run, errors (5xx and failed
connections), the CPU seconds the server, the database and this client used (Linux), and checks
that no stall is leased twice. The client parses only the responses it acts on. Only loopback
addresses are used; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadkit import (  # noqa: E402  (bench/loadkit.py: server, client, CPU, percentiles)
    DEPOK_BBOX,
    GUNICORN,
    PG,
    PY,
    ROOT,
    Client,
    CpuWatch,
    expect,
    free_port,
    percentile,
    psql,
    server_env,
    wait_for_health,
)


def nik_for(i: int, woman: bool) -> str:
    day = 1 + i % 28 + (40 if woman else 0)
    kecamatan = 1 + i % 11
    return f"3276{kecamatan:02d}{day:02d}0{1 + i % 9}9{i % 10}{1 + i:04d}"


def setup(port: int, vendors: int, outlets: int, manage) -> dict:
    tokens = {}
    for role in ("asset_officer", "asset_approver", "outlet_manager", "planner"):
        out = manage("create_user", f"bench_{role}", "--role", role, capture=True)
        tokens[role] = out.strip().split("\t")[-1]
    log: list = []
    officer = Client(port, tokens["asset_officer"], log)
    approver = Client(port, tokens["asset_approver"], log)
    manager = Client(port, tokens["outlet_manager"], log)

    vacant = expect(officer.call("GET", f"/api/v1/assets/?use=vacant&limit={outlets}"), 200)
    outlet_ids = []
    for asset in vacant["results"][:outlets]:
        proposal = expect(
            officer.call(
                "POST",
                f"/api/v1/assets/{asset['id']}/reclassifications/",
                {"reason": "Load benchmark: synthetic outlet"},
            ),
            201,
        )
        expect(
            approver.call(
                "POST",
                f"/api/v1/reclassifications/{proposal['id']}/approve/",
                {"note": "bench", "override_reason": "Load benchmark on synthetic data"},
            ),
            200,
        )
        outlet = expect(
            manager.call(
                "POST", "/api/v1/outlets/", {"asset": asset["id"], "name": f"Gerai {asset['id']}"}
            ),
            201,
        )
        stalls = [
            {"code": f"K{n:02d}", "kind": kind, "area_m2": 6, "monthly_fee": "250000"}
            for n, kind in enumerate(["kiosk"] * 3 + ["booth"] * 2 + ["kitchen"], start=1)
        ]
        expect(manager.call("POST", f"/api/v1/outlets/{outlet['id']}/stalls/", stalls), 201)
        outlet_ids.append(outlet["id"])
    now = datetime.now(UTC)
    round_ = expect(
        manager.call(
            "POST",
            "/api/v1/rounds/",
            {
                "name": "Load benchmark round (synthetic)",
                "outlets": outlet_ids,
                "opens_at": now.isoformat(),
                "closes_at": (now + timedelta(hours=1)).isoformat(),
                "women_reserve_share": 0.2,
            },
        ),
        201,
    )
    expect(manager.call("POST", f"/api/v1/rounds/{round_['id']}/open/"), 200)

    anonymous = Client(port, None, log)
    vendor_tokens = []
    categories = ["culinary", "fashion", "craft", "agribusiness", "services", "other"]
    for i in range(vendors):
        woman = i % 3 == 0
        body = expect(
            anonymous.call(
                "POST",
                "/api/v1/vendors/register/",
                {
                    "username": f"bench_vendor_{i}",
                    "password": f"Bench-{secrets.token_hex(6)}",
                    "full_name": f"Synthetic vendor {i}",
                    "nik": nik_for(i, woman),
                    "phone": f"0812{i:08d}",
                    "business_name": f"Usaha {i}",
                    "product_category": categories[i % len(categories)],
                    "wub_participant": i % 2 == 0,
                    "women_programme": woman,
                    "home_kelurahan_code": "32.76.06.1002",
                },
            ),
            201,
        )
        vendor_tokens.append(body["token"])
    return {
        "tokens": tokens,
        "vendor_tokens": vendor_tokens,
        "round": round_["id"],
        "outlets": outlet_ids,
    }


def map_box_call(client: Client, rng: random.Random, *, kind: str) -> None:
    """One map request: up to 500 assets as GeoJSON in a random box of 1-5 km inside Depok."""
    w, h = rng.uniform(0.01, 0.05), rng.uniform(0.01, 0.05)
    lon = rng.uniform(DEPOK_BBOX[0], DEPOK_BBOX[2] - w)
    lat = rng.uniform(DEPOK_BBOX[1], DEPOK_BBOX[3] - h)
    client.call(
        "GET",
        f"/api/v1/assets/?bbox={lon:.5f},{lat:.5f},{lon + w:.5f},{lat + h:.5f}"
        "&format=geojson&limit=500",
        kind=kind,
        parse=False,
    )


def planner_loop(client: Client, rng: random.Random, stop: float) -> None:
    while time.time() < stop:
        pick = rng.random()
        if pick < 0.6:
            map_box_call(client, rng, kind="assets bbox geojson")
        elif pick < 0.85:
            lon = rng.uniform(DEPOK_BBOX[0], DEPOK_BBOX[2])
            lat = rng.uniform(DEPOK_BBOX[1], DEPOK_BBOX[3])
            client.call(
                "GET",
                f"/api/v1/outlets/?near={lon:.5f},{lat:.5f}&radius=3000&format=geojson",
                kind="outlets near geojson",
                parse=False,
            )
        else:
            client.call(
                "GET",
                "/api/v1/stats/districts/?level=kecamatan",
                kind="stats districts",
                parse=False,
            )
        time.sleep(rng.uniform(0.1, 0.4))


def vendor_loop(client: Client, rng: random.Random, stop: float, setup_info: dict) -> None:
    outlets = setup_info["outlets"]
    choices = [
        {"outlet": o, "stall_kind": k}
        for o, k in rng.sample([(o, k) for o in outlets for k in ("kiosk", "booth", "kitchen")], 3)
    ]
    client.call(
        "POST",
        f"/api/v1/rounds/{setup_info['round']}/applications/",
        {"choices": choices},
        kind="apply",
    )
    accepted = False
    while time.time() < stop:
        status, body = client.call("GET", "/api/v1/applications/mine/", kind="applications mine")
        if status == 200 and not accepted:
            for application in body.get("results", body if isinstance(body, list) else []):
                offer = application.get("offer")
                if offer and offer.get("status", "open") == "open":
                    client.call("POST", f"/api/v1/offers/{offer['id']}/accept/", kind="accept")
                    accepted = True
        if accepted:
            client.call("GET", "/api/v1/leases/", kind="leases", parse=False)
        time.sleep(rng.uniform(0.1, 0.4))


def manager_loop(client: Client, stop: float, setup_info: dict, allocate_at: float) -> None:
    round_id = setup_info["round"]
    allocated = False
    while time.time() < stop:
        if not allocated and time.time() >= allocate_at:
            client.call("POST", f"/api/v1/rounds/{round_id}/close/", kind="close")
            client.call("POST", f"/api/v1/rounds/{round_id}/allocate/", kind="allocate")
            allocated = True
        client.call("GET", f"/api/v1/rounds/{round_id}/", kind="round detail", parse=False)
        if allocated:
            client.call(
                "GET", f"/api/v1/rounds/{round_id}/results/", kind="round results", parse=False
            )
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    # On 2 cores shared with PostgreSQL and this client: 3 processes (one can run Python while
    # the others wait on the database) x 4 threads (to overlap those waits). Measured with 50
    # clients on the same loaded machine: 4 x 4 gave 30 req/s, p99 11.7 s (16 requests piling
    # onto 2 cores); 2 x 8 gave 41 req/s, p99 2.4 s; 3 x 4 gave 46 req/s, p99 2.4 s.
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--outlets", type=int, default=12)
    parser.add_argument(
        "--client-side-binding",
        action="store_true",
        help="PostgreSQL client-side binding, no prepared statements (the settings' default is "
        "server-side binding)",
    )
    parser.add_argument(
        "--access-log", help="gunicorn access log file: worker pid, ms, method, path per request"
    )
    args = parser.parse_args()

    database = os.environ.get("BENCH_DATABASE_URL", f"{PG}/depok_load")
    if "BENCH_DATABASE_URL" not in os.environ:
        psql("DROP DATABASE IF EXISTS depok_load WITH (FORCE)")
        psql("CREATE DATABASE depok_load")
    # By default the server binds parameters on the PostgreSQL side and psycopg prepares the
    # statements it repeats (config.settings), so the database plans each query shape once per
    # connection; --client-side-binding measures the other way (a DATABASE_URL option).
    env = server_env(database + ("?server_side_binding=false" if args.client_side_binding else ""))

    def manage(*cmd: str, capture: bool = False, debug: bool = False) -> str:
        result = subprocess.run(
            [PY, "manage.py", *cmd], cwd=ROOT, env={**env, "DEBUG": "true"} if debug else env,
            check=True, text=True, capture_output=capture,
        )  # fmt: skip
        return result.stdout or ""

    t0 = time.perf_counter()
    manage("migrate", "--noinput", "-v", "0")
    manage("seed_demo", debug=True)  # synthetic data is refused without DEBUG, by design
    print(f"database ready in {time.perf_counter() - t0:.1f} s")

    port = free_port()
    server = subprocess.Popen(
        [GUNICORN, "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(args.workers),
         "-k", "gthread", "--threads", str(args.threads), "--log-level", "warning",
         *(["--access-logfile", args.access_log, "--access-logformat", "%(p)s %(M)s %(m)s %(U)s"]
           if args.access_log else [])],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        wait_for_health(port)

        n_vendors = max(1, int(args.clients * 0.36))
        n_planners = max(1, args.clients - n_vendors - 1)
        info = setup(port, n_vendors, args.outlets, manage)
        print(
            f"setup: {len(info['outlets'])} outlets x 6 stalls, {n_vendors} vendors, "
            f"{n_planners} planners, 1 manager; gunicorn {args.workers} workers x "
            f"{args.threads} threads"
        )

        logs: list[list] = []
        threads = []
        start = time.time()
        stop = start + args.seconds
        allocate_at = start + args.seconds / 3
        for i in range(n_planners):
            log: list = []
            logs.append(log)
            client = Client(port, info["tokens"]["planner"], log)
            threads.append(
                threading.Thread(target=planner_loop, args=(client, random.Random(i), stop))
            )
        for i, token in enumerate(info["vendor_tokens"]):
            log = []
            logs.append(log)
            threads.append(
                threading.Thread(
                    target=vendor_loop,
                    args=(Client(port, token, log), random.Random(1000 + i), stop, info),
                )
            )
        log = []
        logs.append(log)
        threads.append(
            threading.Thread(
                target=manager_loop,
                args=(Client(port, info["tokens"]["outlet_manager"], log), stop, info, allocate_at),
            )
        )
        db_name = database.rsplit("/", 1)[-1].split("?")[0]
        cpu_watch = CpuWatch(server.pid, db_name)
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.seconds + 60)
        wall = time.time() - start
        cpu = cpu_watch.stop()

        records = [r for log in logs for r in log]
        by_kind: dict[str, list] = defaultdict(list)
        for kind, seconds, status, _started in records:
            by_kind[kind].append((seconds, status))
        errors = [r for r in records if r[2] == 0 or r[2] >= 500]
        latencies = [r[1] for r in records]
        print(f"\n{len(records)} requests in {wall:.1f} s: {len(records) / wall:.1f} req/s")
        print(
            f"overall p50 {1000 * statistics.median(latencies):.1f} ms, "
            f"p99 {1000 * percentile(latencies, 0.99):.1f} ms (target < 500 ms); "
            f"errors {len(errors)} (5xx or connection)"
        )
        if cpu:
            # The server's CPU per request is what the code changes; the rest shows how loaded
            # the two cores were (load average includes other work on the machine).
            print(
                f"CPU in the run: server {cpu['server']:.1f} s "
                f"({1000 * cpu['server'] / len(records):.1f} ms per request), database "
                f"{cpu['database']:.1f} s, this client {cpu['client']:.1f} s, of "
                f"{os.cpu_count()} cores x {wall:.0f} s; load average "
                f"{os.getloadavg()[0]:.1f}"
            )
        print(f"{'request':<24}{'n':>7}{'p50 ms':>10}{'p99 ms':>10}  statuses")
        for kind in sorted(by_kind):
            items = by_kind[kind]
            times = [s for s, _ in items]
            statuses: dict[int, int] = defaultdict(int)
            for _, status in items:
                statuses[status] += 1
            print(
                f"{kind:<24}{len(items):>7}{1000 * statistics.median(times):>10.1f}"
                f"{1000 * percentile(times, 0.99):>10.1f}  {dict(sorted(statuses.items()))}"
            )
        # When the slow requests happened: a stall at the start (every vendor applies at once)
        # or after the allocation reads differently from a steady overload.
        t0 = min(r[3] for r in records)
        print("by 10 s of the run: " + "; ".join(
            f"{int(t)}-{int(t) + 10} s n {len(chunk)} p50 {1000 * statistics.median(chunk):.0f} "
            f"p99 {1000 * percentile(chunk, 0.99):.0f}"
            for t in range(0, int(args.seconds), 10)
            if (chunk := [r[1] for r in records if t <= r[3] - t0 < t + 10])
        ))  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)

    check = (
        "from django.db.models import Count; from outlets.models import Lease;"
        "dup = Lease.objects.filter(status='active').values('stall').annotate(n=Count('id'))"
        ".filter(n__gt=1).count();"
        "vend = Lease.objects.filter(status='active').values('vendor').annotate(n=Count('id'))"
        ".filter(n__gt=1).count();"
        'print(f\'active leases {Lease.objects.filter(status="active").count()}, '
        "stalls leased twice {dup}, vendors with two leases {vend}')"
    )
    print(manage("shell", "-c", check, capture=True).strip())


if __name__ == "__main__":
    main()
