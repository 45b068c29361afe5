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
def _media_in_tmp(settings, tmp_path):
    """Stored documents go to the test's own folder (the "documents" storage is MEDIA_ROOT's)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


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

    def _make(
        *roles: str,
        username: str | None = None,
        password: str = "Pass-word-123",
        agency: str | None = "BKD",
    ):
        """An asset officer belongs to `agency` (default: the managing agency, BKD, who writes
        every asset; None: no agency)."""
        counter["n"] += 1
        name = username or f"{'_'.join(roles) or 'norole'}_{counter['n']}"
        user, _ = user_create_with_roles(username=name, password=password, roles=list(roles))
        if "asset_officer" in roles and agency:
            officer_join(user, agency)
        return user

    return _make


def officer_join(user, agency: str):
    """Make `user` an officer of agency `agency` (a code)."""
    from assets_app.models import OfficerProfile

    OfficerProfile.objects.update_or_create(user=user, defaults={"agency_id": agency})
    return user


# The smallest file the documents accept as a PDF: its header and its end-of-file marker.
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def approve_with_decree(reclassification, *, reviewer, approver, **extra):
    """Review `reclassification` and approve it with a decree document and hand-over record,
    through the services (the decision trail of issue 17)."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    from assets_app.services import reclassification_approve, reclassification_review
    from documents.services import document_attach

    reclassification_review(reclassification=reclassification, user=reviewer, note="Reviewed")
    decree = document_attach(
        user=approver,
        upload=SimpleUploadedFile("sk.pdf", MINIMAL_PDF),
        kind="decree",
        reclassification=reclassification,
    )
    data = {
        "note": "ok",
        "decree_number": "SK 028/123/Kpts/2026",
        "decree_date": datetime.date(2026, 3, 2),
        "decree_document": decree.pk,
        "handover_number": "BAST 028/45/2026",
        "handover_date": datetime.date(2026, 3, 9),
        **extra,
    }
    return reclassification_approve(reclassification=reclassification, user=approver, **data)


# An approval's decree and hand-over fields as the API takes them (the document id is filled in).
DECREE_FIELDS = {
    "decree_number": "SK 028/123/Kpts/2026",
    "decree_date": "2026-03-02",
    "handover_number": "BAST 028/45/2026",
    "handover_date": "2026-03-09",
}


def decision(reclassification_id: int, approver, *, reviewer=None) -> dict:
    """Make reclassification `reclassification_id` ready for a decision: reviewed by an officer
    of the managing agency (`reviewer`, or a new one named reviewer_<id>) and with a signed
    decree attached by `approver`. Returns the approval's fields besides the note."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assets_app.models import Reclassification
    from assets_app.services import reclassification_review
    from documents.services import document_attach

    reclassification = Reclassification.objects.get(pk=reclassification_id)
    if reviewer is None:
        reviewer = officer_join(
            user_create_with_roles(
                username=f"reviewer_{reclassification_id}",
                password="Pass-word-123",
                roles=["asset_officer"],
            )[0],
            "BKD",
        )
    reclassification_review(reclassification=reclassification, user=reviewer, note="Reviewed")
    decree = document_attach(
        user=approver,
        upload=SimpleUploadedFile("sk.pdf", MINIMAL_PDF),
        kind="decree",
        reclassification=reclassification,
    )
    return {**DECREE_FIELDS, "decree_document": decree.pk}


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
    from assets_app.services import asset_register, reclassification_propose

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
        proposer, reviewer = (
            officer_join(
                user_create_with_roles(
                    username=f"{who}_{asset.pk}", password="Pass-word-123", roles=["asset_officer"]
                )[0],
                "BKD",
            )
            for who in ("proposer", "reviewer")
        )
        approver = user_create_with_roles(
            username=f"approver_{asset.pk}", password="Pass-word-123", roles=["asset_approver"]
        )[0]
        proposal = reclassification_propose(asset=asset, user=proposer, reason="Test fixture")
        approve_with_decree(
            proposal, reviewer=reviewer, approver=approver, override_reason="Test fixture"
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
