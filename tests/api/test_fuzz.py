"""Schema-driven fuzzing: schemathesis sends generated requests to every operation as each role.

The schema is the one the service publishes at `/api/v1/schema/`; requests go to the Django WSGI
application in-process, inside the test's transaction, so the fixture's objects (assets, an
outlet with stalls, rounds, a vendor with an application, an offer, a lease, a proposal) are
there to be found: path ids are drawn from the real objects' ids about half the time. Each
response must not be a server error and must match the schema (status code documented, content
type, body).

Two phases, on SQLite and on PostgreSQL, for each of the five roles:

- stateless: every operation on its own, valid and invalid input, once with the fixed seed
  (`FUZZ_SEED`) and once with a second seed drawn at random for each run (`FUZZ_SEED2`, printed
  in the run's header and in every failure, so a failure can be replayed). The number of
  requests is counted per role and seed and must reach its minimum, so a generation that
  silently shrinks fails the run (5 roles x (300 + 210) = 2,550 on each database);
- stateful: sequences that follow the schema's OpenAPI links (`api/schema_links.py`): a created
  asset is read, edited, assessed and proposed; a round is opened, closed, allocated, its
  results read. The links followed are counted and printed; a role that can create must
  reach objects through them.
"""

from __future__ import annotations

import copy
import json
import logging
import os
from collections import Counter

import hypothesis
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

from assets_app.services import reclassification_propose
from core.models import AuditEvent
from core.roles import (
    ASSET_APPROVER,
    ASSET_OFFICER,
    OUTLET_MANAGER,
    PLANNER,
    PROGRAMME_STAFF,
    ROLES,
    VENDOR,
)
from outlets import services as outlet_services
from outlets.models import Lease, Offer
from tests.conftest import approve_with_decree
from tests.outlets.helpers import PASSWORD, apply, make_outlet, make_round, make_vendor
from tests.programme.helpers import programme_world

pytestmark = [pytest.mark.django_db]

# tests/conftest.py draws FUZZ_SEED2 when it is not set, and prints both in the run's header.
SEEDS = {
    "fixed": int(os.environ.get("FUZZ_SEED", "20260606")),
    "random": int(os.environ["FUZZ_SEED2"]),
}
# Examples per operation and role: about 50 operations x 5 roles x (7 + 5) is about 3,000
# requests per database, sized to keep CI (both databases side by side) under 20 minutes; a
# deeper local run sets FUZZ_MAX_EXAMPLES (and other seeds).
MAX_EXAMPLES = {
    "fixed": int(os.environ.get("FUZZ_MAX_EXAMPLES", "7")),
    "random": int(os.environ.get("FUZZ_MAX_EXAMPLES_RANDOM", "5")),
}
MIN_REQUESTS_PER_ROLE = {"fixed": 300, "random": 210}
# FUZZ_MODE=positive sends only schema-valid input: an operation whose answers are then mostly
# 400 has a schema that promises more than its validation accepts (printed per operation).
MODE = os.environ.get("FUZZ_MODE", "all")
# Stateful scenarios per role, each of up to STATEFUL_STEPS calls.
STATEFUL_SCENARIOS = int(os.environ.get("FUZZ_STATEFUL_SCENARIOS", "16"))
# Roles that create objects walk more scenarios: with about 100 operations to start from, 16
# scenarios rarely reach the deeper links (created asset -> proposal; round -> results).
CREATOR_SCENARIOS = int(os.environ.get("FUZZ_CREATOR_SCENARIOS", "80"))
STATEFUL_STEPS = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SCHEMA_PATH = "/api/v1/schema/?format=json"

REQUESTS: Counter = Counter()
STATUSES: dict[int, int] = {}
REFUSED: Counter = Counter()  # (operation, 400 or not) -> requests
_RAW_SCHEMA: dict = {}


def in_savepoint(app):
    """Each request in a savepoint, undone if it failed: in the test's one transaction, a
    database error would otherwise abort every request after it (in production each request
    has its own transaction), hiding the next finding behind a cascade of 500s."""

    def wrapped(environ, start_response):
        answered = {}
        # Schemathesis's WSGI transport does not decompress: ask for plain bodies (the district
        # views answer gzip to clients that accept it; tests/api/test_district_boundaries_zoom.py).
        environ.pop("HTTP_ACCEPT_ENCODING", None)

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
    # Every scope the settings define (a scope missing here would be a 500, not a 429).
    rates = dict.fromkeys(ScopedRateThrottle.THROTTLE_RATES, "100000/hour")
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
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
    # An asset designated for economic use by an approved decision, with no outlet yet.
    site = make_asset(user=officer, use="office", lon=106.8190, lat=-6.3730)
    decided = reclassification_propose(asset=site, user=officer, reason="Vacant hall")
    approve_with_decree(
        decided,
        reviewer=make_user(ASSET_OFFICER, username="fuzz_reviewer"),
        approver=approver,
        note="Checked",
    )

    users = {
        ASSET_OFFICER: officer,
        ASSET_APPROVER: approver,
        OUTLET_MANAGER: manager,
        PLANNER: planner,
        VENDOR: vendor.user,
        PROGRAMME_STAFF: make_user(PROGRAMME_STAFF, username="fuzz_programme"),
    }
    programme = programme_world(users[PROGRAMME_STAFF], manager, vendor, outlet)
    tokens = {role: Token.objects.get_or_create(user=user)[0].key for role, user in users.items()}
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
        # programme/{cohorts,targets,sessions,licences,requirements}/{id}/ and vendors/{id}/
        "programme": sorted({*programme.values(), vendor.pk}),
    }
    # Values a body must hold to pass validation that a schema cannot state (an id that exists,
    # a designated site, a password that matches), put into about half of the generated bodies.
    bodies = {
        "assets_create": {"geometry": [{"type": "Point", "coordinates": [106.81794, -6.37229]}]},
        "assets_partial_update": {"geometry": [{"type": "Point", "coordinates": [106.8, -6.4]}]},
        "outlets_create": {"asset": [site.pk]},
        "rounds_create": {"outlets": [[outlet.pk]]},
        "rounds_applications_create": {"choices": [[{"outlet": outlet.pk, "stall_kind": "kiosk"}]]},
        "applications_partial_update": {
            "choices": [[{"outlet": outlet.pk, "stall_kind": "booth"}]]
        },
        "auth_token_create": {
            "username": [user.username for user in (officer, manager, vendor.user)],
            "password": ["Pass-word-123", PASSWORD],
        },
    }
    return {"tokens": tokens, "users": users, "ids": ids, "bodies": bodies}


def keep_token(fuzz_data, role: str) -> None:
    """The role's token as the run began: a generated call may revoke it (auth/token/revoke/)
    or replace it, which would leave every later request of the run a 401."""
    user, key = fuzz_data["users"][role], fuzz_data["tokens"][role]
    if not Token.objects.filter(key=key).exists():
        Token.objects.filter(user=user).delete()
        Token.objects.create(user=user, key=key)


@pytest.fixture(params=ROLES)
def fuzz_role(request) -> str:
    return request.param


@pytest.fixture(params=list(SEEDS))
def fuzz_seed(request) -> str:
    return request.param


def load_schema(
    wsgi_app, fuzz_data, role: str, *, seed: int, max_examples: int, mode: str, stateful=False
):
    """The published schema, as `role` and with `seed`, calling the in-process application;
    path ids are drawn from the fixture's real objects about half the time."""
    config = schemathesis.Config.from_dict(
        {
            "seed": seed,
            "headers": {"Authorization": f"Token {fuzz_data['tokens'][role]}"},
            "generation": {
                "max-examples": max_examples,
                "database": "none",
                "mode": mode,
            },
            # The coverage phase would multiply the requests past the time budget; the
            # stateful phase runs in its own test below.
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": stateful}},
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

    @schema.hook
    def flatmap_body(context, body):
        fields = fuzz_data["bodies"].get(context.operation.definition.raw.get("operationId"))
        if not fields or not isinstance(body, dict):
            return st.just(body)
        real = st.fixed_dictionaries(
            {name: st.sampled_from(values) for name, values in fields.items()}
        )
        return st.one_of(st.just(body), real.map(lambda values: {**body, **values}))

    return schema


@pytest.fixture
def api_schema(wsgi_app, fuzz_data, fuzz_role, fuzz_seed, record_property):
    seed = SEEDS[fuzz_seed]
    schema = load_schema(
        wsgi_app,
        fuzz_data,
        fuzz_role,
        seed=seed,
        max_examples=MAX_EXAMPLES[fuzz_seed],
        mode=MODE,  # by default valid and invalid (hostile) input
    )
    key = (fuzz_role, fuzz_seed)
    REQUESTS[key] = 0
    STATUSES.clear()
    yield schema
    count = REQUESTS[key]
    record_property("fuzz_requests", count)
    print(
        f"\nfuzz: {count} requests as {fuzz_role}, seed {seed} ({fuzz_seed}); "
        f"statuses {dict(sorted(STATUSES.items()))}"
    )
    if MODE == "positive":
        operations = sorted({operation for operation, _ in REFUSED})
        for operation in operations:
            refused, total = (
                REFUSED[(operation, True)],
                REFUSED[(operation, True)] + REFUSED[(operation, False)],
            )
            if refused * 2 > total:
                print(f"  mostly refused: {operation} {refused}/{total}")
        REFUSED.clear()
    assert count >= MIN_REQUESTS_PER_ROLE[fuzz_seed], (
        f"only {count} generated requests as {fuzz_role} with seed {seed}"
    )


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_every_operation_answers_within_its_schema(case, fuzz_data, fuzz_role, fuzz_seed):
    try:
        response = case.call_and_validate(checks=CHECKS)
        keep_token(fuzz_data, fuzz_role)
    except Exception as exc:
        # Replay with FUZZ_SEED / FUZZ_SEED2 set to the seed named here.
        exc.add_note(f"fuzz seed {SEEDS[fuzz_seed]} ({fuzz_seed}), role {fuzz_role}")
        raise
    REQUESTS[(fuzz_role, fuzz_seed)] += 1
    REFUSED[(case.operation.label, response.status_code == 400)] += 1
    STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1


# Roles that create objects must follow at least this many distinct links. Which links a
# seed draws, and which answer 2xx, depend on the ids and rows the tests before left (the fixed
# seed followed 6 links alone and 2 after the whole suite on PostgreSQL), so the floor is low;
# every answer on the way is checked against the schema whatever the count.
MIN_LINKS_REACHED = {ASSET_OFFICER: 2, OUTLET_MANAGER: 2}


def test_stateful_sequences_follow_the_links(wsgi_app, fuzz_data, fuzz_role, fuzz_seed):
    # given the schema as this role, with its links (api/schema_links.py)
    seed = SEEDS[fuzz_seed]
    schema = load_schema(
        wsgi_app, fuzz_data, fuzz_role, seed=seed, max_examples=1, mode="positive", stateful=True
    )
    followed: Counter = Counter()
    reached: Counter = Counter()
    calls = Counter()

    class Sequences(schema.as_state_machine()):
        # Each scenario starts from the fixture's world: what one scenario created is undone
        # before the next, so Hypothesis sees the same rules available when it replays.
        def setup(self):
            self._scenario = transaction.atomic()
            self._scenario.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self._scenario.__exit__(None, None, None)

        def step(self, input):
            output = super().step(input)
            keep_token(fuzz_data, fuzz_role)
            calls["all"] += 1
            if input.transition is not None and input.is_applied:
                followed[input.transition.id] += 1
                if 200 <= output.response.status_code < 300:
                    reached[input.transition.id] += 1
            return output

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    # when schemathesis runs sequences of calls along them
    settings = hypothesis.settings(
        max_examples=CREATOR_SCENARIOS if fuzz_role in MIN_LINKS_REACHED else STATEFUL_SCENARIOS,
        stateful_step_count=STATEFUL_STEPS,
        deadline=None,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    try:
        hypothesis.seed(seed)(Sequences).run(settings=settings)
    except Exception as exc:
        exc.add_note(f"fuzz seed {seed} ({fuzz_seed}), role {fuzz_role}, stateful")
        raise
    # then every answer was within the schema (checked per call), and links were followed
    print(
        f"\nfuzz stateful: {calls['all']} requests as {fuzz_role}, seed {seed}; "
        f"{len(followed)} links followed, {len(reached)} reached an object: "
        f"{dict(sorted(reached.items()))}"
    )
    assert calls["all"] >= STATEFUL_SCENARIOS
    # The minimum holds for the fixed seed; a random seed may draw shorter paths. Either must
    # reach at least one object through a link.
    minimum = MIN_LINKS_REACHED.get(fuzz_role, 1) if fuzz_seed == "fixed" else 1
    assert len(followed) >= minimum, dict(followed)
    assert reached, dict(followed)
