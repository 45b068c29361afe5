"""What the load benchmarks share: a free port, the server's environment and health wait,
psql, a small keep-alive HTTP client, CPU accounting of the server and database processes,
and percentiles. `bench/load.py` and `bench/export_load.py` use it.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").is_dir() else sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DEPOK_BBOX = (106.71675, -6.46128, 106.91885, -6.31441)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_health(port: int, *, seconds: float = 60) -> None:
    """Until the server on `port` answers /healthz with 200 (or give up after `seconds`)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not come up")


def psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-q", "-c", sql], check=True)


def server_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        NIK_ENCRYPTION_KEY="Jw1NsmbXhQ8pH6cHc3Q0mX0rJH8qk2tdWmnrXrb1B6c=",
        NIK_HASH_KEY=secrets.token_hex(32),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback; TLS ends at the proxy in production
        DATABASE_URL=database_url,
        CACHE_URL=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/7"),
        THROTTLE_REGISTER="100000/hour",  # the bench registers many vendors from one address
        LOG_LEVEL="WARNING",
    )
    return env


class Client:
    """One keep-alive HTTP connection with a token; records (kind, seconds, status)."""

    def __init__(self, port: int, token: str | None, log: list) -> None:
        self.port, self.token, self.log = port, token, log
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method: str, path: str, body=None, kind: str | None = None, parse: bool = True):
        """(status, parsed JSON body); with `parse=False` the body is read but not parsed (the
        client shares the server's two cores: parsing every map response cost it CPU the server
        needed)."""
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            payload = response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            payload, status = b"", 0
        elapsed = time.perf_counter() - started
        self.log.append((kind or f"{method} {path.split('?')[0]}", elapsed, status, started))
        if not parse:
            return status, None
        try:
            return status, json.loads(payload) if payload else None
        except ValueError:
            return status, None


def expect(status_body, *codes):
    status, body = status_body
    if status not in codes:
        raise SystemExit(f"setup step failed: HTTP {status}: {str(body)[:500]}")
    return body


def _pids(match) -> list[int]:
    """Processes whose /proc entry `match(stat_fields, cmdline)` accepts."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if match(stat, cmdline):
            pids.append(int(entry.name))
    return pids


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each process still alive (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[pid] = (int(stat[11]) + int(stat[12])) / tick
    return seconds


def cpu_snapshot(server_pid: int, database: str) -> dict[str, dict[int, float]]:
    """CPU seconds so far of the gunicorn workers, the database's backends and this client."""
    if not Path("/proc/self/stat").exists():
        return {}
    workers = _pids(lambda stat, _cmd: int(stat[1]) == server_pid)
    backends = _pids(lambda _stat, cmd: cmd.startswith("postgres: ") and f" {database} " in cmd)
    return {
        "server": _cpu_seconds([server_pid, *workers]),
        "database": _cpu_seconds(backends),
        "client": {os.getpid(): time.process_time()},
    }


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds each part used between two snapshots (a process new since counts whole)."""
    return {
        part: sum(t - before[part].get(pid, 0.0) for pid, t in after[part].items())
        for part in after
    }


class CpuWatch:
    """Snapshots every half second while the clients run: a database connection that closes
    during the run (CONN_MAX_AGE) still counts, up to its last snapshot."""

    def __init__(self, server_pid: int, database: str) -> None:
        self.server_pid, self.database = server_pid, database
        self.before = cpu_snapshot(server_pid, database)
        self.last = {part: dict(seen) for part, seen in self.before.items()}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.done.wait(0.5):
            self._take()

    def _take(self) -> None:
        for part, seen in cpu_snapshot(self.server_pid, self.database).items():
            self.last[part].update(seen)

    def stop(self) -> dict[str, float]:
        self.done.set()
        self.thread.join(timeout=5)
        self._take()
        return cpu_used(self.before, self.last) if self.before else {}


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]
