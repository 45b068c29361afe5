"""Production settings: `check --deploy` is clean, and missing secrets stop the service."""

import json
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


def database_options(url: str) -> dict:
    """The OPTIONS the settings make of this DATABASE_URL (read without connecting)."""
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    result = run_manage("shell", "-c", code, DEBUG="true", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_postgresql_binds_on_the_server_and_prepares_by_default():
    options = database_options("postgres://u@db.invalid:5432/depok")
    assert options == {"server_side_binding": True, "prepare_threshold": 5}


def test_postgresql_server_side_binding_can_be_turned_off_in_the_url():
    for value in ("false", "0", "off", "False"):
        options = database_options(
            f"postgres://u@db.invalid:5432/depok?server_side_binding={value}"
        )
        assert options == {"server_side_binding": False}


def test_sqlite_has_no_binding_options():
    options = database_options("sqlite:////tmp/depok-settings-test.sqlite3")
    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options
