"""OpenAPI links: which operation's answer names the object another operation takes.

A link tells a client (and schemathesis' stateful phase, `tests/api/test_fuzz.py`) that the `id`
in one answer is the path parameter of another operation: a created asset can be read, edited,
assessed and proposed for repurposing; a list's first item can be opened and acted on. Without
them a fuzzer only guesses ids and mostly meets 404s; with them it reaches real objects and
their state transitions (propose -> approve, open -> close -> allocate -> results).

The table names operations by their `operationId`; a link whose source response or target
operation is not in the schema is left out, so the table cannot make the schema wrong.
"""

from __future__ import annotations

# (source operationId, source status) -> [(target operationId, parameter, runtime expression)]
CREATED_ID = "$response.body#/id"
FIRST_ID = "$response.body#/results/0/id"
FIRST_CODE = "$response.body#/results/0/code"

_ASSET_TARGETS = (
    "assets_retrieve",
    "assets_partial_update",
    "assets_history_list",
    "assets_assessment_retrieve",
    "assets_reclassifications_create",
)
_RECLASSIFICATION_TARGETS = (
    "reclassifications_retrieve",
    "reclassifications_approve_create",
    "reclassifications_reject_create",
    "reclassifications_withdraw_create",
)
_OUTLET_TARGETS = (
    "outlets_retrieve",
    "outlets_partial_update",
    "outlets_stalls_list",
    "outlets_stalls_create",
)
_ROUND_TARGETS = (
    "rounds_retrieve",
    "rounds_open_create",
    "rounds_close_create",
    "rounds_allocate_create",
    "rounds_results_retrieve",
    "rounds_applications_create",
)
_APPLICATION_TARGETS = (
    "applications_retrieve",
    "applications_partial_update",
    "applications_withdraw_create",
)
_OFFER_TARGETS = ("offers_retrieve", "offers_accept_create", "offers_decline_create")
_LEASE_TARGETS = ("leases_retrieve", "leases_terminate_create")


def _to(targets: tuple[str, ...], expression: str, parameter: str = "id") -> list[tuple]:
    return [(target, parameter, expression) for target in targets]


LINKS: dict[tuple[str, str], list[tuple[str, str, str]]] = {
    # create -> read, update, actions
    ("assets_create", "201"): _to(_ASSET_TARGETS, CREATED_ID),
    ("assets_reclassifications_create", "201"): _to(_RECLASSIFICATION_TARGETS, CREATED_ID),
    ("outlets_create", "201"): _to(_OUTLET_TARGETS, CREATED_ID),
    ("rounds_create", "201"): _to(_ROUND_TARGETS, CREATED_ID),
    ("rounds_applications_create", "201"): _to(_APPLICATION_TARGETS, CREATED_ID),
    # an action's answer is the object in its new state: the workflow's next step
    ("rounds_open_create", "200"): _to(
        ("rounds_applications_create", "rounds_close_create"), CREATED_ID
    ),
    ("rounds_close_create", "200"): _to(("rounds_allocate_create",), CREATED_ID),
    ("rounds_allocate_create", "200"): _to(("rounds_results_retrieve",), CREATED_ID),
    ("offers_retrieve", "200"): _to(_OFFER_TARGETS[1:], CREATED_ID),
    ("leases_retrieve", "200"): _to(_LEASE_TARGETS[1:], CREATED_ID),
    # a list's first item -> read and act on it
    ("assets_list", "200"): _to(_ASSET_TARGETS, FIRST_ID),
    ("reclassifications_list", "200"): _to(_RECLASSIFICATION_TARGETS, FIRST_ID),
    ("outlets_list", "200"): _to(_OUTLET_TARGETS, FIRST_ID),
    ("rounds_list", "200"): _to(_ROUND_TARGETS, FIRST_ID),
    ("applications_mine_list", "200"): _to(_APPLICATION_TARGETS, FIRST_ID),
    ("offers_list", "200"): _to(_OFFER_TARGETS, FIRST_ID),
    ("leases_list", "200"): _to(_LEASE_TARGETS, FIRST_ID),
    ("audit_list", "200"): _to(("audit_retrieve",), FIRST_ID),
    ("districts_list", "200"): _to(("districts_retrieve",), FIRST_CODE, "code"),
}


def add_links(result: dict, generator, request, public) -> dict:
    """drf-spectacular post-processing hook: add `links` from `LINKS` to the responses."""
    operations = {
        operation["operationId"]: operation
        for path_item in result.get("paths", {}).values()
        for operation in path_item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    for (source, status), targets in LINKS.items():
        response = operations.get(source, {}).get("responses", {}).get(status)
        if response is None:
            continue
        links = response.setdefault("links", {})
        for target, parameter, expression in targets:
            if target in operations:
                links[target] = {"operationId": target, "parameters": {parameter: expression}}
        if not links:
            del response["links"]
    return result
