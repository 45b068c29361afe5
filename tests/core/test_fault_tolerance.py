"""Writes are all or nothing, and what the service committed survives a crash.

An import killed half way (an exception after the first batch of rows reached the database) and
an allocation killed half way (an exception after the first offers were inserted) leave every
table exactly as before, and the same write then succeeds. On PostgreSQL, the service runs under
gunicorn, is killed with SIGKILL while it is writing, and is started again: every write it
acknowledged is there, and every asset it holds is whole (its history row and audit event).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from django.db import connection

from shapely.geometry import Point

from assets_app import importing
from assets_app.models import Asset
from core import bulk
from core.models import AuditEvent
from outlets import services
from outlets.models import (
    AllocationRound,
    AllocationRun,
    Application,
    ApplicationChoice,
    Offer,
    Stall,
)
from tests.conftest import BEJI_POINT
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor

ROOT = Path(__file__).resolve().parents[2]


class Killed(RuntimeError):
    """The injected fault."""


def snapshot() -> dict:
    """Row counts and states of everything an import or an allocation writes."""
    return {
        "assets": Asset.objects.count(),
        "asset_history": Asset.history.count(),
        "audit_events": AuditEvent.objects.count(),
        "offers": Offer.objects.count(),
        "offer_history": Offer.history.count(),
        "stalls": sorted(Stall.objects.values_list("pk", "status")),
        "stall_history": Stall.history.count(),
        "applications": sorted(Application.objects.values_list("pk", "status")),
        "choices": sorted(ApplicationChoice.objects.values_list("pk", "rank", "priority")),
        "runs": AllocationRun.objects.count(),
        "rounds": sorted(AllocationRound.objects.values_list("pk", "status", "allocated_at")),
    }


def sqlite_indexes(table: str) -> list[str]:
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [table]
        )
        return sorted(name for (name,) in cursor.fetchall())


# --- an import killed half way ---------------------------------------------------------------


def import_table(n: int):
    records = [
        {
            "register_code": f"IMP-{i:04d}",
            "name": f"Imported {i}",
            "category": "land",
            "use": "vacant",
            "land_area_m2": 300.0 + i,
        }
        for i in range(n)
    ]
    points = [Point(BEJI_POINT[0] + i * 1e-5, BEJI_POINT[1]) for i in range(n)]
    return importing.table_from_records(records, points)


def killed_at(stage: str, *, after_batches: int):
    """A progress callback that lets `after_batches` batches of `stage` through, then fails."""

    def progress(iterable, total, desc):
        for i, item in enumerate(iterable):
            if desc == stage and i == after_batches:
                raise Killed(f"killed during {stage} after {i} batches")
            yield item

    return progress


@pytest.mark.django_db
@pytest.mark.parametrize("stage", ["creating", "history"])
def test_an_import_killed_half_way_writes_nothing(make_user, make_asset, monkeypatch, stage):
    officer = make_user("asset_officer")
    make_asset(user=officer)  # a register that is not empty
    # Small batches, so 12 rows make three; on SQLite also the path that rebuilds the indexes.
    monkeypatch.setattr(bulk, "BATCH_SIZE", 5)
    monkeypatch.setattr(bulk, "REINDEX_MIN_ROWS", 1)
    indexes = sqlite_indexes(Asset._meta.db_table)
    before = snapshot()

    with pytest.raises(Killed):
        importing.assets_import_table(
            table=import_table(12), user=officer, progress=killed_at(stage, after_batches=1)
        )

    assert snapshot() == before
    assert sqlite_indexes(Asset._meta.db_table) == indexes
    # and the same import, not interrupted, goes through whole
    report = importing.assets_import_table(table=import_table(12), user=officer)
    assert (report["created"], report["errors"]) == (12, [])
    assert Asset.objects.count() == before["assets"] + 12
    assert Asset.history.count() == before["asset_history"] + 12
    assert AuditEvent.objects.count() == before["audit_events"] + 1


# --- an allocation killed half way -----------------------------------------------------------


@contextmanager
def fail_on_insert(table: str, *, after: int):
    """Let `after` INSERT statements into `table` through, then fail the next one."""
    seen = {"n": 0}

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and f'"{table}"' in sql:
            if seen["n"] == after:
                raise Killed(f"killed after {after} inserts into {table}")
            seen["n"] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


@pytest.fixture
def closed_round(make_user, make_asset):
    """A closed round: six applicants for four kiosks and a booth."""
    manager = make_user("outlet_manager")
    outlet = make_outlet(
        make_asset,
        manager,
        stalls=(
            ("K-01", "kiosk"),
            ("K-02", "kiosk"),
            ("K-03", "kiosk"),
            ("K-04", "kiosk"),
            ("B-01", "booth"),
        ),
    )
    round_ = make_round(manager, [outlet], status="open")
    for i in range(6):
        apply(make_vendor(wub=i % 2 == 0), round_, (outlet, "kiosk"), (outlet, "booth"))
    return services.round_close(round_=round_, user=manager), manager


@pytest.mark.django_db
def test_an_allocation_killed_half_way_writes_nothing(closed_round, monkeypatch):
    round_, manager = closed_round
    monkeypatch.setattr(services.allocate, "CHUNK", 2)  # offers go in by twos: 5 offers, 3 INSERTs
    before = snapshot()

    with fail_on_insert(Offer._meta.db_table, after=1) as inserted, pytest.raises(Killed):
        services.round_allocate(round_=round_, user=manager)

    assert inserted["n"] == 1  # two offers were in the database when it failed
    assert snapshot() == before
    # the round is still closed and allocates whole when tried again
    services.round_allocate(round_=AllocationRound.objects.get(pk=round_.pk), user=manager)
    after = snapshot()
    assert after["offers"] == 5
    assert after["offer_history"] == before["offer_history"] + 5
    assert after["runs"] == before["runs"] + 1
    assert sorted(status for _pk, status in after["stalls"]) == ["offered"] * 5
    assert sorted(status for _pk, status in after["applications"]) == (
        ["assigned"] * 5 + ["unassigned"]
    )
    assert AllocationRound.objects.get(pk=round_.pk).status == "allocated"


@pytest.mark.django_db
def test_an_allocation_killed_at_its_last_write_writes_nothing(closed_round):
    """The round's own status is the last write: a failure there undoes the offers too."""
    round_, manager = closed_round
    before = snapshot()
    with fail_on_insert("outlets_historicalallocationround", after=0), pytest.raises(Killed):
        services.round_allocate(round_=round_, user=manager)
    assert snapshot() == before


# --- a restart loses nothing committed (PostgreSQL, gunicorn) ---------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return f"postgres://{s['USER']}{password}@{host}/{s['NAME']}"


class Service:
    """gunicorn serving the test database on a loopback port, in its own process group."""

    def __init__(self, port: int):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DEBUG": "true",
            "DATABASE_URL": database_url(),
            "CONN_MAX_AGE": "0",
            "LOG_LEVEL": "WARNING",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "config.wsgi", "-w", "1", "-b", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or its workers still booting
                time.sleep(0.2)
        raise AssertionError("the service did not start")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, sig)  # the master and its workers: our own group
            self.process.wait(timeout=30)
        self.process = None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_service_loses_nothing_it_committed(make_user):
    from rest_framework.authtoken.models import Token

    officer = make_user("asset_officer")
    token, _ = Token.objects.get_or_create(user=officer)
    headers = {"Authorization": f"Token {token.key}"}
    service = Service(free_port())
    acknowledged: list[dict] = []
    stop = threading.Event()

    def write_assets():
        session = requests.Session()
        n = 0
        while not stop.is_set():
            n += 1
            body = {
                "register_code": f"RESTART-{n:05d}",
                "name": f"Asset {n}",
                "category": "building",
                "use": "office",
                "geometry": {"type": "Point", "coordinates": list(BEJI_POINT)},
            }
            try:
                response = session.post(
                    f"{service.base}/api/v1/assets/", json=body, headers=headers, timeout=10
                )
            except requests.RequestException:
                return  # the service died under us
            assert response.status_code == 201, response.text
            acknowledged.append(response.json())

    try:
        service.start()
        writer = threading.Thread(target=write_assets)
        writer.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        service.kill(signal.SIGKILL)  # mid-stream: requests may be in flight
        stop.set()
        writer.join(timeout=30)
        assert len(acknowledged) >= 20

        service.start()
        session = requests.Session()
        for created in acknowledged:
            response = session.get(
                f"{service.base}/api/v1/assets/{created['id']}/", headers=headers, timeout=10
            )
            assert response.status_code == 200
            assert response.json() == created
        listed = session.get(
            f"{service.base}/api/v1/assets/?limit=1000", headers=headers, timeout=10
        ).json()
    finally:
        stop.set()
        service.kill(signal.SIGTERM)

    # At most the writes in flight at the kill are there unacknowledged, and each is whole.
    acknowledged_ids = {a["id"] for a in acknowledged}
    stored = set(Asset.objects.values_list("pk", flat=True))
    assert acknowledged_ids <= stored
    assert len(stored - acknowledged_ids) <= 1
    assert listed["count"] == len(stored)
    for pk in stored:
        assert Asset.history.filter(id=pk, history_type="+").count() == 1
        assert (
            AuditEvent.objects.filter(object_type="assets_app.asset", object_id=str(pk)).count()
            == 1
        )
