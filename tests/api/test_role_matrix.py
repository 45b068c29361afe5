"""The role matrix: every operation of the API against the five roles and anonymous.

`MATRIX` has one row per operation of the published OpenAPI schema: the method, the path as the
schema writes it, the request (concrete path and body) and the status each caller must get. An
operation in the schema without a row, or a row for an operation the schema no longer has, fails
`test_the_matrix_covers_every_operation_of_the_schema`, so a new endpoint cannot ship without
deciding who may call it.

Callers allowed to act get 200/201, or 400 where the row sends a deliberately invalid body (so
the row writes nothing and the rows stay independent); vendors reach only their own objects
(the world below gives the vendor an application, offers and a lease). Denied callers get 401
(anonymous) or 403 (wrong role). `NOT_ALLOWED` adds methods the API does not offer: 405 once the
caller passes the role check.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from assets_app.services import reclassification_propose
from core.models import AuditEvent
from core.roles import (
    ASSET_APPROVER,
    ASSET_OFFICER,
    OUTLET_MANAGER,
    PLANNER,
    PROGRAMME_STAFF,
    ROLES,
    STAFF_ROLES,
    VENDOR,
)
from documents.services import document_attach
from facilities.models import ReferenceFacility
from operations.services import billing
from outlets import services as outlet_services
from outlets.models import Offer
from tests.api.matrix_operations import RESOLVED_ON, operations_world
from tests.conftest import MINIMAL_PDF, client_for
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor
from tests.programme.helpers import programme_world

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
CALLERS = (ANONYMOUS, *ROLES)
PREFIX = "/api/v1"
EVERYONE = (ANONYMOUS, *ROLES)


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # as the schema writes it
    url: str  # concrete, with {names} filled from the world
    allowed: tuple[str, ...]
    status: int  # what the allowed callers get
    body: object = None
    fmt: str = "json"

    def expected(self, caller: str) -> int:
        if caller in self.allowed:
            return self.status
        return 401 if caller == ANONYMOUS else 403


def row(method, path, allowed, status, body=None, url=None, fmt="json"):
    return Row(method, path, url or path, tuple(allowed), status, body, fmt)


BAD = {"nonsense": True}  # refused by every writer that rejects unknown fields
STAFF = STAFF_ROLES
VENDORS = (VENDOR,)
MANAGERS = (OUTLET_MANAGER,)
OFFICERS = (ASSET_OFFICER,)
APPROVERS = (ASSET_APPROVER,)
ROUND_READERS = (OUTLET_MANAGER, PLANNER, VENDOR)
PROGRAMME = (PROGRAMME_STAFF,)
PROGRAMME_READERS = (PROGRAMME_STAFF, PLANNER)
LICENCE_READERS = (PROGRAMME_STAFF, OUTLET_MANAGER)

# Order matters only for the few rows that act (open, close, allocate, withdraw, accept, decline):
# each acts on an object of its own.
MATRIX = [
    # districts and sign-in
    row("GET", "/districts/", ROLES, 200),
    row("GET", "/districts/{code}/", ROLES, 200, url="/districts/32.76.06/"),
    row("POST", "/auth/token/", EVERYONE, 400, body={}),
    # assets
    row("GET", "/assets/", STAFF, 200),
    row("POST", "/assets/", OFFICERS, 400, body={}),
    row("GET", "/assets/{id}/", STAFF, 200, url="/assets/{asset}/"),
    row("PATCH", "/assets/{id}/", OFFICERS, 400, body={"category": "x"}, url="/assets/{asset}/"),
    row("GET", "/assets/{id}/history/", OFFICERS, 200, url="/assets/{asset}/history/"),
    row("GET", "/assets/{id}/assessment/", STAFF, 200, url="/assets/{asset}/assessment/"),
    row("GET", "/assets/export/", STAFF, 200),
    row("POST", "/assets/import/", OFFICERS, 400, body={}, fmt="multipart"),
    # repurposing
    row(
        "POST",
        "/assets/{id}/reclassifications/",
        OFFICERS,
        400,
        body={},
        url="/assets/{asset}/reclassifications/",
    ),
    row("GET", "/reclassifications/", STAFF, 200),
    row("GET", "/reclassifications/{id}/", STAFF, 200, url="/reclassifications/{proposal}/"),
    row(
        "POST",
        "/reclassifications/{id}/approve/",
        APPROVERS,
        400,
        body={},
        url="/reclassifications/{proposal}/approve/",
    ),
    row(
        "POST",
        "/reclassifications/{id}/reject/",
        APPROVERS,
        400,
        body={},
        url="/reclassifications/{proposal}/reject/",
    ),
    row(
        "POST",
        "/reclassifications/{id}/withdraw/",
        OFFICERS,
        200,
        body={"note": "Not needed after all"},
        url="/reclassifications/{proposal}/withdraw/",
    ),
    row(
        "POST",
        "/reclassifications/{id}/review/",
        OFFICERS,
        400,
        body={},
        url="/reclassifications/{proposal}/review/",
    ),
    # agencies and documents (#17)
    row("GET", "/agencies/", STAFF, 200),
    row("GET", "/agencies/{code}/", STAFF, 200, url="/agencies/BKD/"),
    row("GET", "/documents/", STAFF, 200),
    row("POST", "/documents/", (*OFFICERS, *APPROVERS, *MANAGERS), 400, body={}, fmt="multipart"),
    row("GET", "/documents/{id}/", STAFF, 200, url="/documents/{document}/"),
    row("GET", "/documents/{id}/download/", STAFF, 200, url="/documents/{document}/download/"),
    row("GET", "/kib/{kind}/", STAFF, 200, url="/kib/A/"),
    row(
        "POST", "/kib/{kind}/import/", OFFICERS, 400, body={}, fmt="multipart", url="/kib/C/import/"
    ),
    row("GET", "/reports/{name}/", STAFF, 200, url="/reports/kib_c/"),
    # reference facilities (#18)
    row("GET", "/reference-facilities/", STAFF, 200),
    row(
        "GET",
        "/reference-facilities/{id}/",
        STAFF,
        200,
        url="/reference-facilities/{reference_facility}/",
    ),
    row("POST", "/reference-facilities/import/", OFFICERS, 400, body={}, fmt="multipart"),
    row(
        "POST",
        "/reference-facilities/{id}/link/",
        OFFICERS,
        400,
        body=BAD,
        url="/reference-facilities/{reference_facility}/link/",
    ),
    row("GET", "/stats/districts/", STAFF, 200),
    row("POST", "/scenarios/repurposing/", STAFF, 400, body={"assets": []}),
    row("GET", "/stats/programme/", STAFF, 200),
    row("GET", "/audit/", STAFF, 200),
    row("GET", "/audit/{id}/", STAFF, 200, url="/audit/{audit_event}/"),
    # outlets and stalls
    row("GET", "/outlets/", ROLES, 200),
    row("POST", "/outlets/", MANAGERS, 400, body={}),
    row("GET", "/outlets/{id}/", ROLES, 200, url="/outlets/{outlet}/"),
    row("PATCH", "/outlets/{id}/", MANAGERS, 400, body=BAD, url="/outlets/{outlet}/"),
    row("GET", "/outlets/{id}/stalls/", ROLES, 200, url="/outlets/{outlet}/stalls/"),
    row("POST", "/outlets/{id}/stalls/", MANAGERS, 400, body={}, url="/outlets/{outlet}/stalls/"),
    # vendors
    row("POST", "/vendors/register/", EVERYONE, 400, body={}),
    row("GET", "/vendors/me/", VENDORS, 200),
    row("PATCH", "/vendors/me/", VENDORS, 400, body={"phone": "x"}),
    row("GET", "/vendors/", MANAGERS, 200),
    row("GET", "/vendors/{id}/", MANAGERS, 200, url="/vendors/{vendor}/"),
    row("POST", "/vendors/{id}/verify/", MANAGERS, 400, body={}, url="/vendors/{vendor}/verify/"),
    row(
        "POST",
        "/vendors/{id}/reset-code/",
        MANAGERS,
        400,
        body={},
        url="/vendors/{vendor}/reset-code/",
    ),
    # rounds
    row("GET", "/rounds/", ROUND_READERS, 200),
    row("POST", "/rounds/", MANAGERS, 400, body={}),
    row("GET", "/rounds/{id}/", ROUND_READERS, 200, url="/rounds/{open_round}/"),
    row(
        "POST",
        "/rounds/{id}/applications/",
        VENDORS,
        400,
        body={},
        url="/rounds/{open_round}/applications/",
    ),
    row("POST", "/rounds/{id}/open/", MANAGERS, 200, url="/rounds/{draft_round}/open/"),
    row("POST", "/rounds/{id}/close/", MANAGERS, 200, url="/rounds/{closing_round}/close/"),
    row("POST", "/rounds/{id}/allocate/", MANAGERS, 200, url="/rounds/{closed_round}/allocate/"),
    row(
        "GET",
        "/rounds/{id}/results/",
        (OUTLET_MANAGER, PLANNER),
        200,
        url="/rounds/{allocated_round}/results/",
    ),
    # applications
    row("GET", "/applications/mine/", VENDORS, 200),
    row("GET", "/applications/{id}/", VENDORS, 200, url="/applications/{application}/"),
    row("PATCH", "/applications/{id}/", VENDORS, 400, body={}, url="/applications/{application}/"),
    row(
        "POST",
        "/applications/{id}/withdraw/",
        VENDORS,
        200,
        url="/applications/{application}/withdraw/",
    ),
    # offers and leases
    row("GET", "/offers/", ROUND_READERS, 200),
    row("GET", "/offers/{id}/", ROUND_READERS, 200, url="/offers/{accepted_offer}/"),
    # accepting again answers the same lease
    row("POST", "/offers/{id}/accept/", VENDORS, 200, url="/offers/{accepted_offer}/accept/"),
    row("POST", "/offers/{id}/decline/", VENDORS, 200, url="/offers/{open_offer}/decline/"),
    row("GET", "/leases/", ROUND_READERS, 200),
    row("GET", "/leases/{id}/", ROUND_READERS, 200, url="/leases/{lease}/"),
    row(
        "POST", "/leases/{id}/terminate/", MANAGERS, 400, body={}, url="/leases/{lease}/terminate/"
    ),
    # the programme (#20)
    row("GET", "/programme/cohorts/", PROGRAMME_READERS, 200),
    row(
        "GET",
        "/programme/cohorts/{id}/",
        PROGRAMME_READERS,
        200,
        url="/programme/cohorts/{cohort_list}/",
    ),
    row("POST", "/programme/cohorts/import/", PROGRAMME, 400, body={}, fmt="multipart"),
    row("GET", "/programme/targets/", PROGRAMME_READERS, 200),
    row("POST", "/programme/targets/", PROGRAMME, 400, body={}),
    row(
        "GET",
        "/programme/targets/{id}/",
        PROGRAMME_READERS,
        200,
        url="/programme/targets/{target}/",
    ),
    row(
        "PATCH",
        "/programme/targets/{id}/",
        PROGRAMME,
        400,
        body={"target": 0},
        url="/programme/targets/{target}/",
    ),
    row("GET", "/programme/sessions/", PROGRAMME_READERS, 200),
    row("POST", "/programme/sessions/", PROGRAMME, 400, body={}),
    row(
        "GET",
        "/programme/sessions/{id}/",
        PROGRAMME_READERS,
        200,
        url="/programme/sessions/{session}/",
    ),
    row(
        "POST",
        "/programme/sessions/{id}/attendance/",
        PROGRAMME,
        400,
        body={},
        url="/programme/sessions/{session}/attendance/",
    ),
    row("GET", "/programme/licences/", LICENCE_READERS, 200),
    row("POST", "/programme/licences/", PROGRAMME, 400, body={}),
    row(
        "GET",
        "/programme/licences/{id}/",
        LICENCE_READERS,
        200,
        url="/programme/licences/{licence}/",
    ),
    row("GET", "/programme/licences/expiring/", LICENCE_READERS, 200),
    row("GET", "/programme/requirements/", ROLES, 200),
    row("POST", "/programme/requirements/", MANAGERS, 400, body={}),
    row(
        "GET",
        "/programme/requirements/{id}/",
        ROLES,
        200,
        url="/programme/requirements/{requirement}/",
    ),
    row(
        "DELETE",
        "/programme/requirements/{id}/",
        MANAGERS,
        204,
        url="/programme/requirements/{requirement}/",
    ),
    row("GET", "/programme/funnel/", PROGRAMME_READERS, 200),
    row("GET", "/programme/me/", VENDORS, 200),
    row(
        "POST",
        "/programme/vendors/{id}/verify/",
        PROGRAMME,
        400,
        body={},
        url="/programme/vendors/{vendor}/verify/",
    ),
    # public results, objections and appeals (#19)
    row("GET", "/public/rounds/", EVERYONE, 200),
    row("GET", "/public/rounds/{id}/", EVERYONE, 200, url="/public/rounds/{allocated_round}/"),
    row(
        "GET",
        "/public/rounds/{id}/verification.json",
        EVERYONE,
        200,
        url="/public/rounds/{allocated_round}/verification.json",
    ),
    row("GET", "/applications/{id}/facts/", VENDORS, 200, url="/applications/{application}/facts/"),
    row("GET", "/objections/", ROUND_READERS, 200),
    row("POST", "/objections/", VENDORS, 400, body={}),
    row("POST", "/objections/{id}/decide/", MANAGERS, 400, body={}, url="/objections/1/decide/"),
    row("GET", "/appeals/", ROUND_READERS, 200),
    row("POST", "/appeals/", VENDORS, 400, body={}),
    row("POST", "/appeals/{id}/decide/", MANAGERS, 400, body={}, url="/appeals/1/decide/"),
    # outlet operations (#16): managers of the outlet write; planners read; a vendor reads her own
    row(
        "GET",
        "/outlets/{outlet_id}/terms/",
        (OUTLET_MANAGER, PLANNER),
        404,  # the world's outlet has no terms set: no such object yet
        url="/outlets/{outlet}/terms/",
    ),
    row(
        "PUT",
        "/outlets/{outlet_id}/terms/",
        MANAGERS,
        400,
        body=BAD,
        url="/outlets/{outlet}/terms/",
    ),
    row("GET", "/tariffs/", (OUTLET_MANAGER, PLANNER), 200),
    row("POST", "/tariffs/", MANAGERS, 400, body={}),
    row("GET", "/bills/", ROUND_READERS, 200),
    row("GET", "/accounts/{lease_id}/", ROUND_READERS, 200, url="/accounts/{lease}/"),
    row("GET", "/payments/", ROUND_READERS, 200),
    row("POST", "/payments/", MANAGERS, 400, body={}),
    row("GET", "/payments/{id}/", ROUND_READERS, 200, url="/payments/{payment}/"),
    row("GET", "/payments/{id}/receipt/", ROUND_READERS, 200, url="/payments/{payment}/receipt/"),
    row(
        "POST",
        "/payments/{id}/reverse/",
        MANAGERS,
        400,
        body={},
        url="/payments/{payment}/reverse/",
    ),
    row("POST", "/payments/import/", MANAGERS, 400, body={}, fmt="multipart"),
    row("GET", "/warnings/", ROUND_READERS, 200),
    row("POST", "/warnings/", MANAGERS, 400, body={}),
    row(
        "POST",
        "/warnings/{id}/resolve/",
        MANAGERS,
        200,
        body={"resolved_on": RESOLVED_ON},
        url="/warnings/{warning}/resolve/",
    ),
    row("GET", "/terminations/", ROUND_READERS, 200),
    row("POST", "/terminations/", MANAGERS, 400, body={}),
    row("GET", "/inspections/", (OUTLET_MANAGER, PLANNER), 200),
    row("POST", "/inspections/", MANAGERS, 400, body={}, fmt="multipart"),
    row("GET", "/renewals/", ROUND_READERS, 200),
    row("POST", "/renewals/", VENDORS, 400, body={}),
    # after the resolve row: the vendor is in good standing again
    row("POST", "/renewals/{id}/approve/", MANAGERS, 200, url="/renewals/{renewal}/approve/"),
    row(
        "POST",
        "/renewals/{id}/refuse/",
        MANAGERS,
        200,
        body={"reason": "Tidak memenuhi syarat (synthetic)"},
        url="/renewals/{other_renewal}/refuse/",
    ),
    row("GET", "/waitlist-offers/", ROUND_READERS, 200),
    # accepting again answers the same offer (she holds a lease, so a first accept would be a 409)
    row(
        "POST",
        "/waitlist-offers/{id}/accept/",
        VENDORS,
        200,
        url="/waitlist-offers/{accepted_waitlist_offer}/accept/",
    ),
    row(
        "POST",
        "/waitlist-offers/{id}/decline/",
        VENDORS,
        200,
        url="/waitlist-offers/{open_waitlist_offer}/decline/",
    ),
    row(
        "GET",
        "/operations/reports/{name}/",
        (OUTLET_MANAGER, PLANNER),
        200,
        url="/operations/reports/arrears/",
    ),
    # last: it deletes each caller's token (NOT_ALLOWED's rows run before MATRIX's)
    row("POST", "/auth/token/revoke/", ROLES, 204),
]

# Methods the API does not offer: 405 for a caller who passes authentication and the role check.
NOT_ALLOWED = [
    row("DELETE", "/assets/{id}/", OFFICERS, 405, url="/assets/{asset}/"),
    row("PUT", "/assets/{id}/", OFFICERS, 405, body={}, url="/assets/{asset}/"),
    row("DELETE", "/outlets/{id}/", MANAGERS, 405, url="/outlets/{outlet}/"),
    row("DELETE", "/rounds/{id}/", MANAGERS, 405, url="/rounds/{draft_round}/"),
    row("DELETE", "/leases/{id}/", (), 405, url="/leases/{lease}/"),
    row("DELETE", "/audit/{id}/", (), 405, url="/audit/{audit_event}/"),
    row("DELETE", "/vendors/me/", VENDORS, 405),
    row("GET", "/vendors/register/", EVERYONE, 405),
    row("GET", "/auth/token/", EVERYONE, 405),
]


@pytest.fixture
def world(make_user, make_asset):
    """Users in each role and one object for each row to reach."""
    officer = make_user(ASSET_OFFICER)
    manager = make_user(OUTLET_MANAGER)
    vendor = make_vendor()
    other = make_vendor()
    users = {
        ASSET_OFFICER: officer,
        ASSET_APPROVER: make_user(ASSET_APPROVER),
        OUTLET_MANAGER: manager,
        PLANNER: make_user(PLANNER),
        VENDOR: vendor.user,
        PROGRAMME_STAFF: make_user(PROGRAMME_STAFF),
    }
    asset = make_asset(user=officer)
    proposal = reclassification_propose(
        asset=make_asset(user=officer, lon=106.8300, lat=-6.3900), user=officer, reason="Idle"
    )
    outlet = make_outlet(
        make_asset, manager, stalls=(("K-01", "kiosk"), ("K-02", "kiosk"), ("B-01", "booth"))
    )
    # Two allocated rounds: the vendor accepts the first offer (a lease) and keeps the second.
    allocated = []
    for _ in range(2):
        round_ = make_round(manager, [outlet], status="open")
        apply(vendor, round_, (outlet, "kiosk"))
        outlet_services.round_close(round_=round_, user=manager)
        allocated.append(outlet_services.round_allocate(round_=round_, user=manager))
    first, second = (Offer.objects.get(application__round=r) for r in allocated)
    lease = outlet_services.offer_accept(offer=first, user=vendor.user).lease
    open_round = make_round(manager, [outlet], status="open")
    application = apply(vendor, open_round, (outlet, "booth"))
    apply(other, open_round, (outlet, "booth"))
    ids = {
        "asset": asset.pk,
        "proposal": proposal.pk,
        "outlet": outlet.pk,
        "vendor": vendor.pk,
        "draft_round": make_round(manager, [outlet]).pk,
        "open_round": open_round.pk,
        "closing_round": make_round(manager, [outlet], status="open").pk,
        "closed_round": make_round(manager, [outlet], status="closed").pk,
        "allocated_round": allocated[0].pk,
        "application": application.pk,
        "accepted_offer": first.pk,
        "open_offer": second.pk,
        "lease": lease.pk,
        "payment": billing.payment_record(
            lease=lease,
            user=manager,
            reference="MATRIX-1",
            amount=Decimal("1000"),
            paid_on=lease.start_date,
        ).pk,  # fmt: skip
        "document": document_attach(
            user=officer,
            upload=SimpleUploadedFile("title.pdf", MINIMAL_PDF),
            kind="land_certificate",
            asset=asset,
        ).pk,
        "audit_event": AuditEvent.objects.order_by("pk").values_list("pk", flat=True)[0],
        "reference_facility": ReferenceFacility.objects.create(
            kind="school",
            facility_type="sd",
            category="sd",
            level="basic",
            national_id="99000001",
            name="SD (synthetic)",
            provider="private",
            lon=106.8179,
            lat=-6.3723,
            source="synthetic test row",
            synthetic=True,
        ).pk,
        **programme_world(users[PROGRAMME_STAFF], manager, vendor, outlet),
        **operations_world(
            manager=manager,
            vendor=vendor,
            other=other,
            outlet=outlet,
            lease=lease,
            applications=[first.application, second.application],
        ),  # fmt: skip
    }
    clients = {ANONYMOUS: APIClient(), **{role: client_for(u) for role, u in users.items()}}
    return {"clients": clients, "ids": ids}


def send(client, method: str, url: str, body, fmt: str):
    return getattr(client, method.lower())(url, body, format=fmt)


def schema_operations(client) -> set[tuple[str, str]]:
    schema = client.get(f"{PREFIX}/schema/?format=json").json()
    methods = {"get", "post", "put", "patch", "delete"}
    return {
        (method.upper(), path.removeprefix(PREFIX))
        for path, item in schema["paths"].items()
        for method in item
        if method in methods
    }


def test_the_matrix_covers_every_operation_of_the_schema(api_client):
    rows = {(r.method, r.path) for r in MATRIX}
    assert len(rows) == len(MATRIX), "a row is listed twice"
    operations = schema_operations(api_client)
    assert sorted(operations - rows) == [], "operations without a row in MATRIX"
    assert sorted(rows - operations) == [], "rows for operations the schema does not have"


def test_every_operation_answers_each_role_as_the_matrix_says(world):
    answered = {}
    for r in NOT_ALLOWED + MATRIX:
        url = PREFIX + r.url.format(**world["ids"])
        # Denied callers first, so that a row's one acting call comes last.
        for caller in sorted(CALLERS, key=lambda c: c in r.allowed):
            answered[(r.method, r.path, caller)] = (
                send(world["clients"][caller], r.method, url, r.body, r.fmt).status_code,
                r.expected(caller),
            )
    mismatches = {key: codes for key, codes in answered.items() if codes[0] != codes[1]}
    assert mismatches == {}, "(method, path, caller): (answered, expected)"
    assert len(answered) == len(CALLERS) * (len(MATRIX) + len(NOT_ALLOWED))
