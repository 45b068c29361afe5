"""Schema-driven fuzzing: schemathesis sends generated requests to every operation as each role.

The schema is the one the service publishes at `/api/v1/schema/`; requests go to the Django WSGI
application in-process, inside the test's transaction, so the fixture's objects (assets, an
outlet with stalls, rounds, a vendor with an application, an offer, a lease, a proposal) are
there to be found: path ids are drawn from the real objects' ids about half the time. Each
response must not be a server error and must match the schema (status code documented, content
type, body). The run is derandomized with a fixed seed; the number of requests is counted and
must reach `MIN_REQUESTS_PER_ROLE` for each of the five roles (2,000 in all), so a generation
that silently shrinks fails the run.

PostgreSQL only (CI runs it there): it is the slow part of the suite, about two minutes.
"""

from __future__ import annotations

import copy
import json
import logging
import os

import hypothesis.strategies as st
import pytest
import schemathesis
import werkzeug
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from rest_framework.authtoken.models import Token
from rest_framework.throttling import ScopedRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from assets_app.repurposing import reclassification_propose
from core.models import AuditEvent
from core.roles import ASSET_APPROVER, ASSET_OFFICER, OUTLET_MANAGER, PLANNER, ROLES, VENDOR
from outlets import services as outlet_services
from outlets.models import Lease, Offer
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SEED = int(os.environ.get("FUZZ_SEED", "20260606"))
# Per operation and role: 49 operations x 5 roles x 9 is about 2,200 requests in CI; a deeper
# local run sets FUZZ_MAX_EXAMPLES (and another FUZZ_SEED).
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "9"))
MIN_REQUESTS_PER_ROLE = 400
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SCHEMA_PATH = "/api/v1/schema/?format=json"

REQUESTS: dict[str, int] = {}
STATUSES: dict[int, int] = {}
_RAW_SCHEMA: dict = {}


def in_savepoint(app):
    """Each request in a savepoint, undone if it failed: in the test's one transaction, a
    database error would otherwise abort every request after it (in production each request
    has its own transaction), hiding the next finding behind a cascade of 500s."""

    def wrapped(environ, start_response):
        answered = {}

        def start(status, headers, exc_info=None):
            answered["status"] = int(status[:3])
            return start_response(status, headers, exc_info)

        with transaction.atomic():
            response = app(environ, start)
            try:
                body = list(response)
            finally:
                response.close()  # sends request_finished, as a server would
            if answered.get("status", 500) >= 500:
                transaction.set_rollback(True)
        return body

    return wrapped


@pytest.fixture
def wsgi_app():
    """The real WSGI handler, kept on the test's connection (as Django's test client does)."""
    # Thousands of 4xx answers would each log a warning line (a 5xx still logs an error).
    request_logger = logging.getLogger("django.request")
    level = request_logger.level
    request_logger.setLevel(logging.ERROR)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield in_savepoint(WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        request_logger.setLevel(level)


@pytest.fixture
def fuzz_data(make_user, make_asset, monkeypatch):
    """A small world: every kind of object the API serves exists at least once."""
    # Throttled endpoints still answer (and their 429 is documented), but the fuzzer should
    # mostly reach the views behind them.
    monkeypatch.setattr(
        ScopedRateThrottle,
        "THROTTLE_RATES",
        {"register": "100000/hour", "token": "100000/hour", "vendor_write": "100000/hour"},
    )
    officer = make_user(ASSET_OFFICER, username="fuzz_officer")
    approver = make_user(ASSET_APPROVER, username="fuzz_approver")
    manager = make_user(OUTLET_MANAGER, username="fuzz_manager")
    planner = make_user(PLANNER, username="fuzz_planner")
    vendor = make_vendor(username="fuzz_vendor", women=True, wub=True)
    other_vendor = make_vendor(username="fuzz_other_vendor")

    school = make_asset(user=officer, use="education", facility_type="sd")
    office = make_asset(user=officer, use="office", lon=106.8300, lat=-6.3900)
    proposal = reclassification_propose(asset=office, user=officer, reason="Idle since 2020")
    outlet = make_outlet(
        make_asset,
        manager,
        stalls=(("K-01", "kiosk"), ("K-02", "kiosk"), ("B-01", "booth"), ("D-01", "kitchen")),
    )
    # An allocated round with an offer (accepted into a lease) and an open offer ...
    allocated = make_round(manager, [outlet], status="open")
    apply(vendor, allocated, (outlet, "kiosk"))
    apply(other_vendor, allocated, (outlet, "kiosk"))
    outlet_services.round_close(round_=allocated, user=manager)
    outlet_services.round_allocate(round_=allocated, user=manager)
    offer = Offer.objects.get(application__vendor=vendor)
    outlet_services.offer_accept(offer=offer, user=vendor.user)
    # ... and an open round where the vendor has applied.
    open_round = make_round(manager, [outlet], status="open")
    application = apply(vendor, open_round, (outlet, "booth"), (outlet, "kitchen"))
    draft = make_round(manager, [outlet])

    tokens = {
        role: Token.objects.get_or_create(user=user)[0].key
        for role, user in {
            ASSET_OFFICER: officer,
            ASSET_APPROVER: approver,
            OUTLET_MANAGER: manager,
            PLANNER: planner,
            VENDOR: vendor.user,
        }.items()
    }
    ids = {
        "districts": ["32.76.06", "32.76.06.1002"],
        "assets": [school.pk, office.pk, outlet.asset_id],
        "reclassifications": [proposal.pk],
        "outlets": [outlet.pk],
        "rounds": [allocated.pk, open_round.pk, draft.pk],
        "applications": [application.pk],
        "offers": list(Offer.objects.values_list("pk", flat=True)),
        "leases": list(Lease.objects.values_list("pk", flat=True)),
        "audit": list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)[:3]),
    }
    return {"tokens": tokens, "ids": ids}


@pytest.fixture(params=ROLES)
def fuzz_role(request) -> str:
    return request.param


@pytest.fixture
def api_schema(wsgi_app, fuzz_data, fuzz_role, record_property):
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "headers": {"Authorization": f"Token {fuzz_data['tokens'][fuzz_role]}"},
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                "mode": "all",  # valid and invalid (hostile) input
            },
            # Examples and fuzzing; the coverage phase would multiply the requests past the
            # time budget, and stateful links are not declared.
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        }
    )
    if not _RAW_SCHEMA:  # the published schema, fetched once per run
        response = werkzeug.Client(wsgi_app).get(SCHEMA_PATH)
        assert response.status_code == 200
        _RAW_SCHEMA.update(json.loads(response.get_data()))
    schema = schemathesis.openapi.from_dict(copy.deepcopy(_RAW_SCHEMA), config=config)
    schema.app = wsgi_app
    real_ids = fuzz_data["ids"]

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        # About half of the cases aim at an object that exists.
        name = next((n for n in ("id", "code") if n in (path_parameters or {})), None)
        existing = real_ids.get(context.operation.path.split("/")[3]) if name else None
        if not existing:
            return st.just(path_parameters)
        return st.one_of(
            st.just(path_parameters),
            st.sampled_from(existing).map(lambda value: {**path_parameters, name: value}),
        )

    REQUESTS[fuzz_role] = 0
    STATUSES.clear()
    yield schema
    count = REQUESTS[fuzz_role]
    record_property("fuzz_requests", count)
    print(f"\nfuzz: {count} requests as {fuzz_role}; statuses {dict(sorted(STATUSES.items()))}")
    assert count >= MIN_REQUESTS_PER_ROLE, f"only {count} generated requests as {fuzz_role}"


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_every_operation_answers_within_its_schema(case, fuzz_role):
    response = case.call_and_validate(checks=CHECKS)
    REQUESTS[fuzz_role] += 1
    STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1
