#!/usr/bin/env python3
"""Check a published allocation round of Kota Depok's UMKM outlets, on your own computer.

Needs only Python 3.10+ and its standard library: no Django, nothing from the project. Download
the round's verification file (the public results page links it, or
GET /api/v1/public/rounds/<id>/verification.json) and run

    python3 verify_round.py round-12.json [--input-sha256 <hash shown on the results page>]

It checks, in this order, that
  1. the revealed seed hashes (SHA-256) to the commitment published when the round opened;
  2. every lottery number is the first 8 bytes, big-endian, of SHA-256("<seed>:<id>");
  3. re-running the allocation on the file's input (its own deferred acceptance, written from
     the published rules below) gives exactly the file's result;
  4. the input and the result hash to the SHA-256 the file (and the page) states.
It prints "identical" and exits 0, or prints the first difference and exits 1.

The rules. At each group (outlet and stall kind) an application's priority is, lower first:
programme (0 for a verified programme member), local (0 if she lives in the outlet's
kecamatan), her lottery number, her id. Vendors propose to their choices in order; a group
holds what its rule picks from those proposing and holding, and rejects the rest:
  - no reserve, no cap: the best `capacity`;
  - a reserve (r = floor(capacity x share) seats): first women-programme members in priority
    order until r are taken, then everyone left until full;
  - a cap alone: in priority order, skipping anyone whose category already has `cap` seats;
  - a reserve and a cap: the reserve pass, at most `cap` of one category among its picks; then
    the open pass, at most `cap` of one category among the open picks, until full.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import deque
from decimal import Decimal
from math import floor

FORMAT = "depok-allocation-verification/1"


class Difference(Exception):
    """The first thing that is not as the file says."""


def canonical_json(value) -> bytes:
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def lottery(seed: str, application_id: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}:{application_id}".encode()).digest()[:8], "big")


def reserved_seats(capacity: int, share: float) -> int:
    return floor(Decimal(repr(float(share))) * capacity)


def choose(held, capacity, reserve, cap, women, category):
    """The group's rule on `held` (priority keys, best first): (chosen, reserve picks)."""
    chosen, reserve_picks = [], []
    counts: dict[str, int] = {}
    if reserve:
        for key in held:
            if len(reserve_picks) == reserve:
                break
            who = key[-1]
            kind = category[who]
            if women[who] and (cap is None or counts.get(kind, 0) < cap):
                counts[kind] = counts.get(kind, 0) + 1
                reserve_picks.append(key)
        chosen = list(reserve_picks)
        if cap is not None:
            counts = {}  # with a reserve, the cap counts the open seats apart
    for key in held:
        if len(chosen) == capacity:
            break
        if key in reserve_picks:
            continue
        kind = category[key[-1]]
        if cap is None or counts.get(kind, 0) < cap:
            counts[kind] = counts.get(kind, 0) + 1
            chosen.append(key)
    chosen.sort()
    return chosen, reserve_picks


def allocate(document_input: dict) -> dict:
    """Re-run the allocation on the file's input; the result in the file's layout."""
    params = document_input["params"]
    share, cap = params["women_reserve_share"], params["category_cap"]
    seed = document_input["seed"]
    groups = {g["id"]: g for g in document_input["groups"]}
    apps = {a["id"]: a for a in document_input["applications"]}
    women = {i: a["women_programme"] for i, a in apps.items()}
    category = {i: a["category"] for i, a in apps.items()}
    lots = {i: lottery(seed, i) for i in apps}
    reserve = {gid: reserved_seats(g["capacity"], share) for gid, g in groups.items()}
    held: dict[str, list] = {gid: [] for gid in groups}
    picks: dict[str, list] = {gid: [] for gid in groups}
    position = dict.fromkeys(apps, 0)
    where: dict[int, str | None] = dict.fromkeys(apps)
    free = deque(sorted(apps))
    while free:
        i = free.popleft()
        choices = apps[i]["choices"]
        while position[i] < len(choices):
            choice = choices[position[i]]
            position[i] += 1
            gid = choice["group"]
            if gid not in groups or groups[gid]["capacity"] == 0:
                continue
            key = (apps[i]["programme"], choice["local"], lots[i], i)
            pool = sorted([*held[gid], key])
            chosen, picks[gid] = choose(
                pool, groups[gid]["capacity"], reserve[gid], cap, women, category
            )
            held[gid] = chosen
            for other in pool:
                if other not in chosen and other[-1] != i:
                    where[other[-1]] = None
                    free.append(other[-1])
            if key in chosen:
                where[i] = gid
                break
    result_apps = []
    for i in sorted(apps):
        gid = where[i]
        rank = None
        if gid is not None:
            rank = 1 + [c["group"] for c in apps[i]["choices"]].index(gid)
        result_apps.append({"id": i, "lottery": str(lots[i]), "outcome": gid, "choice_rank": rank})
    result_groups = []
    for gid in sorted(groups, key=_group_order):
        capacity = groups[gid]["capacity"]
        full = capacity > 0 and len(held[gid]) == capacity
        worst = held[gid][-1] if full else None
        result_groups.append(
            {
                "id": gid,
                "assigned": [key[-1] for key in held[gid]],
                "reserved_assigned": [key[-1] for key in picks[gid]],
                "cutoff": (
                    {"programme": worst[0], "local": worst[1], "lottery": str(worst[2])}
                    if worst
                    else None
                ),
            }
        )
    return {"applications": result_apps, "groups": result_groups}


def _group_order(gid: str):
    outlet, _, kind = gid.partition("/")
    return (int(outlet), kind) if outlet.isdigit() else (0, gid)


def _first_difference(label: str, published, recomputed) -> str | None:
    if isinstance(published, dict) and isinstance(recomputed, dict):
        for name in sorted(set(published) | set(recomputed)):
            found = _first_difference(f"{label}.{name}", published.get(name), recomputed.get(name))
            if found:
                return found
        return None
    if isinstance(published, list) and isinstance(recomputed, list):
        for index, (a, b) in enumerate(zip(published, recomputed, strict=False)):
            item = a.get("id", index) if isinstance(a, dict) else index
            found = _first_difference(f"{label}[{item}]", a, b)
            if found:
                return found
        if len(published) != len(recomputed):
            return f"{label}: {len(published)} entries in the file, {len(recomputed)} recomputed"
        return None
    if published != recomputed:
        return f"{label}: the file says {published!r}, recomputed {recomputed!r}"
    return None


def verify(document: dict, expected_input_sha256: str | None = None) -> None:
    """Raise Difference with the first difference found; return if everything matches."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise Difference(f"not a verification file of format {FORMAT}")
    part, result = document["input"], document["result"]
    seed = part["seed"]
    commitment = hashlib.sha256(seed.encode()).hexdigest()
    if commitment != part["seed_commitment"]:
        raise Difference(
            f"seed: SHA-256 of the revealed seed is {commitment}, "
            f"but the commitment published at opening is {part['seed_commitment']}"
        )
    for app in result["applications"]:
        expected = str(lottery(seed, app["id"]))
        if app["lottery"] != expected:
            raise Difference(
                f"lottery of application {app['id']}: the file says {app['lottery']}, "
                f"SHA-256 of the seed gives {expected}"
            )
    found = _first_difference("result", result, allocate(part))
    if found:
        raise Difference(found)
    for name, value in (("input", part), ("result", result)):
        digest = hashlib.sha256(canonical_json(value)).hexdigest()
        if digest != document[f"{name}_sha256"]:
            raise Difference(
                f"{name}_sha256: the file says {document[f'{name}_sha256']}, "
                f"its {name} hashes to {digest}"
            )
    if expected_input_sha256 and expected_input_sha256.lower() != document["input_sha256"]:
        raise Difference(
            f"input_sha256: the page says {expected_input_sha256}, "
            f"the file {document['input_sha256']}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="the round's verification file (JSON)")
    parser.add_argument("--input-sha256", help="the input hash shown on the results page")
    args = parser.parse_args(argv)
    try:
        with open(args.file, encoding="utf-8") as handle:
            document = json.load(handle)
        verify(document, args.input_sha256)
    except Difference as exc:
        print(f"different: {exc}")
        return 1
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        print(f"different: the file cannot be read as a verification file ({exc!r})")
        return 1
    print("identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
