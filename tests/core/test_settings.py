"""Production settings: `check --deploy` is clean, and missing secrets stop the service."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env() -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "NIK_ENCRYPTION_KEY": "Jw1NsmbXhQ8pH6cHc3Q0mX0rJH8qk2tdWmnrXrb1B6c=",
        "NIK_HASH_KEY": secrets.token_hex(32),
        "ALLOWED_HOSTS": "aset.depok.go.id",
    }


def test_check_deploy_is_clean_with_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_refuses_to_start_without_secret_key():
    env = production_env()
    env.pop("SECRET_KEY")
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_refuses_to_start_without_nik_keys():
    env = production_env()
    env.pop("NIK_HASH_KEY")
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "NIK_ENCRYPTION_KEY and NIK_HASH_KEY must be set when DEBUG is off." in result.stderr
