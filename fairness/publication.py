"""The round's verification file: its canonical input and result with no personal data.

Pure (no ORM): `build_document` takes the engine's groups, applicants, parameters and result
and returns the document anyone can download and re-run with `tools/verify_round.py` (standard
library only) or `manage.py verify_round`. Nothing in it names a person: an application is its
id (the number the lottery hashes), a vendor's programme membership and domicile appear only as
the priority tiers the round counted, and her kecamatan only as "local" (0) or not (1) at each
choice.

Layout (format `FORMAT`):
  {"format", "input": {"engine", "round_id", "seed", "seed_commitment", "params", "groups",
   "applications"}, "input_sha256", "result": {"applications", "groups"}, "result_sha256"}
Each SHA-256 is over `canonical_json` of its part.
"""

from __future__ import annotations

import hashlib
import json

from outlets import allocation

FORMAT = "depok-allocation-verification/1"


def canonical_json(value) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes the hashes are taken over."""
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def sha256_of(value) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def group_id(key: tuple[int, str]) -> str:
    """A group's public id: "<outlet id>/<stall kind>"."""
    return f"{key[0]}/{key[1]}"


def _key_json(key) -> dict | None:
    if key is None:
        return None
    return {"programme": key[0], "local": key[1], "lottery": str(key[2])}


def build_input(
    *,
    round_id: int,
    seed_commitment: str,
    groups: list[allocation.Group],
    applicants: list[allocation.Applicant],
    params: allocation.Params,
    decline_penalty: bool,
    penalised: set[int],
) -> dict:
    """The public input: what the result depends on, with tiers in place of personal facts."""
    by_key = {g.key: g for g in groups}
    applications = []
    for a in sorted(applicants, key=lambda a: a.application_id):
        programme, _ = allocation.priority_tiers(a, None)
        choices = []
        for choice in a.choices:
            group = by_key.get(choice)
            local = allocation.priority_tiers(a, group)[1]
            choices.append({"group": group_id(choice) if group else None, "local": local})
        applications.append(
            {
                "id": a.application_id,
                "programme": programme,
                "women_programme": bool(a.women_programme),
                "category": a.product_category,
                "choices": choices,
                "decline_penalty": a.application_id in penalised,
            }
        )
    return {
        "engine": allocation.ENGINE_VERSION,
        "round_id": round_id,
        "seed": params.seed,
        "seed_commitment": seed_commitment,
        "params": {
            "women_reserve_share": float(params.women_reserve_share),
            "category_cap": params.category_cap,
            "decline_penalty": bool(decline_penalty),
        },
        "groups": [
            {
                "id": group_id(g.key),
                "capacity": g.capacity,
                "reserved": allocation.reserved_seats(g.capacity, params.women_reserve_share),
            }
            for g in sorted(groups, key=lambda g: g.key)
        ],
        "applications": applications,
    }


def build_result(result: allocation.AllocationResult, seed: str) -> dict:
    """The public result: each application's lottery number, outcome and rank; each group's
    admitted applications (best first), reserve picks and cutoff."""
    applications = []
    for app_id in sorted(result.assignment):
        key = result.assignment[app_id]
        applications.append(
            {
                "id": app_id,
                "lottery": str(allocation.lottery(seed, app_id)),
                "outcome": group_id(key) if key is not None else None,
                "choice_rank": result.choice_rank[app_id],
            }
        )
    groups = []
    for key in sorted(result.groups):
        group = result.groups[key]
        groups.append(
            {
                "id": group_id(key),
                "assigned": list(group.assigned),
                "reserved_assigned": list(group.reserved_assigned),
                "cutoff": _key_json(group.cutoff),
            }
        )
    return {"applications": applications, "groups": groups}


def build_document(input_part: dict, result_part: dict) -> dict:
    return {
        "format": FORMAT,
        "input": input_part,
        "input_sha256": sha256_of(input_part),
        "result": result_part,
        "result_sha256": sha256_of(result_part),
    }
