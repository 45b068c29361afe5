"""The project's own check of a verification file: the same four checks as
`tools/verify_round.py`, but re-running the allocation with the project's engine
(`outlets.deferred_acceptance`) on the file's tiers. Pure: no ORM."""

from __future__ import annotations

import hashlib

from fairness.publication import FORMAT, sha256_of
from outlets import allocation
from outlets.deferred_acceptance import choose, choose_split, deferred_acceptance


def _key_json(tiers: tuple[int, int], lot: int) -> dict:
    return {"programme": tiers[0], "local": tiers[1], "lottery": str(lot)}


def rerun(part: dict) -> dict:
    """The result the engine gives on the file's input, in the file's layout."""
    seed = part["seed"]
    share, cap = part["params"]["women_reserve_share"], part["params"]["category_cap"]
    groups = part["groups"]
    index_of = {g["id"]: j for j, g in enumerate(groups)}
    capacity = [g["capacity"] for g in groups]
    reserved = [allocation.reserved_seats(c, share) for c in capacity]
    lots = {a["id"]: allocation.lottery(seed, a["id"]) for a in part["applications"]}
    apps = sorted(part["applications"], key=lambda a: (lots[a["id"]], a["id"]))
    n = len(apps)
    women = [bool(a["women_programme"]) for a in apps]
    categories: dict[str, int] = {}
    category = [categories.setdefault(a["category"], len(categories)) for a in apps]
    prefs, keys = [], []
    for i, a in enumerate(apps):
        row, row_keys = [], []
        for choice in a["choices"]:
            j = index_of.get(choice["group"], -1)
            if j >= 0 and capacity[j] == 0:
                j = -1
            row.append(j)
            row_keys.append(allocation.pack_key((a["programme"], choice["local"]), i, n))
        prefs.append(row)
        keys.append(row_keys)
    held, next_choice = deferred_acceptance(
        prefs, keys, capacity, reserved, cap, women, category, n
    )
    outcome: dict[int, tuple[str, int]] = {}
    result_groups = []
    for j, group in enumerate(groups):
        rule = choose_split if cap is not None and reserved[j] else choose
        _, _, picks = rule(held[j], capacity[j], reserved[j], cap, women, category, n)
        for key in held[j]:
            outcome[apps[key % n]["id"]] = (group["id"], next_choice[key % n])
        full = capacity[j] > 0 and len(held[j]) == capacity[j]
        cutoff = None
        if full:
            tiers, i = allocation.unpack_key(held[j][-1], n)
            cutoff = _key_json(tiers, lots[apps[i]["id"]])
        result_groups.append(
            {
                "id": group["id"],
                "assigned": [apps[key % n]["id"] for key in held[j]],
                "reserved_assigned": [apps[key % n]["id"] for key in picks],
                "cutoff": cutoff,
            }
        )
    result_apps = []
    for app_id in sorted(lots):
        gid, rank = outcome.get(app_id, (None, None))
        result_apps.append(
            {"id": app_id, "lottery": str(lots[app_id]), "outcome": gid, "choice_rank": rank}
        )
    return {"applications": result_apps, "groups": result_groups}


def _compare(label: str, published, recomputed) -> str | None:
    if isinstance(published, dict) and isinstance(recomputed, dict):
        for name in sorted(set(published) | set(recomputed)):
            found = _compare(f"{label}.{name}", published.get(name), recomputed.get(name))
            if found:
                return found
        return None
    if isinstance(published, list) and isinstance(recomputed, list):
        for index, (a, b) in enumerate(zip(published, recomputed, strict=False)):
            item = a.get("id", index) if isinstance(a, dict) else index
            found = _compare(f"{label}[{item}]", a, b)
            if found:
                return found
        if len(published) != len(recomputed):
            return f"{label}: {len(published)} entries in the file, {len(recomputed)} recomputed"
        return None
    if published != recomputed:
        return f"{label}: the file says {published!r}, recomputed {recomputed!r}"
    return None


def first_difference(document: dict) -> str | None:
    """None if the file checks out; else the first difference, in words."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return f"not a verification file of format {FORMAT}"
    part, result = document["input"], document["result"]
    if hashlib.sha256(part["seed"].encode()).hexdigest() != part["seed_commitment"]:
        return "seed: its SHA-256 is not the commitment published at opening"
    for app in result["applications"]:
        if app["lottery"] != str(allocation.lottery(part["seed"], app["id"])):
            return f"lottery of application {app['id']}: not SHA-256 of the seed"
    found = _compare("result", result, rerun(part))
    if found:
        return found
    for name in ("input", "result"):
        if sha256_of(document[name]) != document[f"{name}_sha256"]:
            return f"{name}_sha256: the file's {name} does not hash to it"
    return None
