"""Shared fixtures: users in each role and API clients signed in as them."""

import os
import random

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.roles import ROLES
from core.services import user_create_with_roles

POSTGRES_SKIP_REASON = (
    "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> to run it"
)


def pytest_collection_modifyitems(config, items):
    """Skip tests marked `postgres` unless DATABASE_URL points at PostgreSQL."""
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    skip = pytest.mark.skip(reason=POSTGRES_SKIP_REASON)
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# Tests read English messages: clients ask for English (Indonesian is the service's default; the
# i18n tests send their own Accept-Language), and code called directly runs in English.
TEST_LANGUAGE = "en"


# Also while collecting: parametrize arguments such as str(MESSAGE) are evaluated then.
translation.activate(TEST_LANGUAGE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create hundreds of users with passwords: Django's PBKDF2 (1,000,000 rounds, about
    0.3 s each here) is the production hasher and stays so; tests only need a hasher that
    round-trips."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override(TEST_LANGUAGE):
        yield


def english_client() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE=TEST_LANGUAGE)


@pytest.fixture
def client():
    """pytest-django's `client`, asking for English."""
    return Client(HTTP_ACCEPT_LANGUAGE=TEST_LANGUAGE)


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's `admin_client`, asking for English."""
    client = Client(HTTP_ACCEPT_LANGUAGE=TEST_LANGUAGE)
    client.force_login(admin_user)
    return client


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _roomy_export_slots(settings):
    """A server closes every response, giving its export slot back; the test client leaves an
    export nobody reads unclosed until the garbage collector comes by. Tests of the limit set
    their own (tests/api/test_export_safety.py)."""
    settings.EXPORT_MAX_CONCURRENT = 1000


@pytest.fixture
def make_user(db):
    """make_user("planner") or make_user("asset_officer", "asset_approver", username="x")."""
    counter = {"n": 0}

    def _make(*roles: str, username: str | None = None, password: str = "Pass-word-123"):
        counter["n"] += 1
        name = username or f"{'_'.join(roles) or 'norole'}_{counter['n']}"
        user, _ = user_create_with_roles(username=name, password=password, roles=list(roles))
        return user

    return _make


def client_for(user) -> APIClient:
    client = english_client()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api_client():
    """Anonymous client."""
    return english_client()


@pytest.fixture
def client_as(make_user):
    """client_as("planner") -> an APIClient signed in as a fresh user with that role."""

    def _client(*roles: str, user=None) -> APIClient:
        return client_for(user or make_user(*roles))

    return _client


@pytest.fixture
def role_clients(make_user):
    """{"anonymous": client, "asset_officer": client, ...} for role-matrix tests."""
    clients = {"anonymous": english_client()}
    for role in ROLES:
        clients[role] = client_for(make_user(role))
    return clients


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# A point inside Kelurahan 32.76.06.1002 (Beji), usable wherever "somewhere in Depok" will do.
BEJI_POINT = (106.81794, -6.37229)


@pytest.fixture
def make_asset(db):
    """make_asset(use="education", facility_type="sd", lon=..., lat=...) via the real service.

    status="designated_economic" goes through its workflow, as the register refuses to set it:
    the asset is registered (with use "vacant" if "economic" was asked for), proposed by one
    officer and approved, with an override, by another user.
    """
    from assets_app.services import (
        asset_register,
        reclassification_approve,
        reclassification_propose,
    )

    counter = {"n": 0}

    def _make(*, user=None, lon: float = BEJI_POINT[0], lat: float = BEJI_POINT[1], **fields):
        counter["n"] += 1
        data = {
            "register_code": f"TEST-{counter['n']:05d}",
            "name": f"Test asset {counter['n']}",
            "category": "building",
            "use": "office",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "land_area_m2": 500.0,
        }
        data.update(fields)
        if data.get("status") != "designated_economic":
            return asset_register(user=user, data=data)
        del data["status"]
        if data["use"] == "economic":
            data["use"] = "vacant"
        asset = asset_register(user=user, data=data)
        proposer = user_create_with_roles(
            username=f"proposer_{asset.pk}", password="Pass-word-123", roles=["asset_officer"]
        )[0]
        approver = user_create_with_roles(
            username=f"approver_{asset.pk}", password="Pass-word-123", roles=["asset_approver"]
        )[0]
        proposal = reclassification_propose(asset=asset, user=proposer, reason="Test fixture")
        reclassification_approve(
            reclassification=proposal, user=approver, note="ok", override_reason="Test fixture"
        )
        asset.refresh_from_db()
        return asset

    return _make


def pytest_configure(config):
    """The fuzz's second seed is random for each run, unless FUZZ_SEED2 replays one."""
    if not os.environ.get("FUZZ_SEED2"):
        os.environ["FUZZ_SEED2"] = str(random.SystemRandom().randrange(2**32))


def pytest_report_header(config):
    fixed = os.environ.get("FUZZ_SEED", "20260606")
    return f"fuzz seeds: FUZZ_SEED={fixed} FUZZ_SEED2={os.environ['FUZZ_SEED2']}"
