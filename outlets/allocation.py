"""Stall allocation engine: vendor-proposing deferred acceptance over (outlet, stall kind) groups.

This is the pure computation behind an allocation round (docs/ARCHITECTURE.md). It takes plain
frozen dataclasses (the groups with their vacant stalls, the applications with their ranked
choices, the round's parameters) and returns a plain `AllocationResult`; it imports nothing from
Django and touches no database, so the service around it loads the data, calls `allocate` and
stores the result, and anyone holding `canonical_input` can re-run it and get the same answer.

Each group ranks applicants by `priority_key` (programme members, then residents of the outlet's
kecamatan, then a lottery re-derivable from the published seed) and chooses with the minority
reserve rule of Hafalir, Yenmez and Yildirim (2013): first women-programme members in priority
order until the reserved seats are taken, then everyone left in priority order until the group
is full. A per-category cap alone skips, in priority order, anyone whose product category is
already at the cap.

A reserve and a cap together use the split rule (`deferred_acceptance.choose_split`): the
reserved seats and the open seats are two sub-groups filled one after the other, and the cap
is counted on each apart (at most `category_cap` of one category among the reserved seats, and
at most `category_cap` among the open seats), like the soft bounds of Ehlers, Hafalir, Yenmez
and Yildirim (2014) and the sequential slot-specific priorities of Kominers and Sönmez (2016):
a bound that spans both kinds of seat is what makes a rule non-substitutable.

Guarantees. Every rule used is substitutable and satisfies the law of aggregate demand
(Hatfield and Milgrom, 2005), so in every round, reserve and cap together included, the outcome
is stable (no vendor and group would both rather be matched to each other), vendor-optimal among
stable outcomes and strategy-proof for vendors. With only one of a reserve or a cap the rules
and results are the same as before the split rule existed.
"""

import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from numbers import Real

from outlets.deferred_acceptance import choose, choose_split, deferred_acceptance

ENGINE_VERSION = "deferred-acceptance/2"  # 2: reserve and cap together use the split rule

GroupKey = tuple[int, str]
"""(outlet_id, stall_kind)."""

PriorityKey = tuple[int, int, int]
"""(programme tier, kecamatan tier, lottery); lower is better."""

# Error messages, kept as constants so tests (and the API layer) can match the exact reason.
DUPLICATE_APPLICATION = "duplicate application id {application_id}"
DUPLICATE_CHOICE = "application {application_id} lists group {choice!r} more than once"
DUPLICATE_GROUP = "duplicate group {key!r}"
INVALID_CAPACITY = "capacity of group {key!r} must be a non-negative integer, got {capacity!r}"
INVALID_SHARE = "women_reserve_share must be a number between 0 and 1, got {share!r}"
INVALID_CAP = "category_cap must be None or an integer of at least 1, got {cap!r}"


@dataclass(frozen=True)
class Group:
    """The vacant stalls of one kind in one outlet: what a vendor's choice names."""

    key: GroupKey
    capacity: int  # vacant stalls of that kind in that outlet at allocation time
    kecamatan_code: str  # the outlet's kecamatan, e.g. "32.76.06"


@dataclass(frozen=True)
class Applicant:
    """One vendor's application in a round, with its ranked choices of groups."""

    application_id: int
    choices: tuple[GroupKey, ...]  # ranked, most preferred first, distinct
    wub_participant: bool
    women_programme: bool
    kecamatan_code: str | None  # where the vendor lives
    product_category: str


@dataclass(frozen=True)
class Params:
    """The round's published parameters."""

    seed: str
    women_reserve_share: float = 0.0  # 0..1 of each group's capacity, rounded down
    category_cap: int | None = None  # max applicants of one product_category a group may take


@dataclass(frozen=True)
class GroupResult:
    """What one group ended up with, and the figures a vendor needs to see why.

    `cutoff` is the priority key of the worst admitted applicant when the group filled, else None
    (anyone who applied would have been admitted, unless a category cap stopped them); it is also
    None for a group of capacity 0. `reserved_assigned` are the women-programme members admitted
    by the reserve pass, best first (a subset of `assigned`). `reserved_cutoff` is the priority
    key of the worst of them when the reserve pass took all `reserved` seats, else None (then
    every women-programme applicant whose category was not at its cap got a seat).
    `capped_categories` are the product categories that reached the round's cap in this group,
    sorted: an applicant of one of those may be refused even with a key better than `cutoff`.
    """

    key: GroupKey
    capacity: int
    reserved: int  # floor(capacity * women_reserve_share)
    assigned: tuple[int, ...]  # application ids, best priority first
    cutoff: PriorityKey | None
    reserved_assigned: tuple[int, ...] = ()
    reserved_cutoff: PriorityKey | None = None
    capped_categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class AllocationResult:
    """The outcome of one round: per application, per group, and summary counts.

    `counts` holds `applications`, `groups`, `capacity`, `reserved` (seats), `assigned`,
    `unassigned`, `vacant` (capacity left empty), `reserved_assigned` (seats taken by the reserve
    pass) and `rank_1` ... `rank_k` (applications placed at their k-th choice, k up to the
    longest list, zeros included).
    """

    assignment: dict[int, GroupKey | None]  # every application id -> its group or None
    choice_rank: dict[int, int | None]  # 1-based rank of the assigned choice
    priorities: dict[int, tuple[PriorityKey, ...]]  # key at each choice, in choice order
    groups: dict[GroupKey, GroupResult]
    counts: dict[str, int]


def lottery(seed: str, application_id: int) -> int:
    """The application's lottery number: first 8 bytes, big-endian, of SHA-256("seed:id").

    Lower is better. Anyone with the published seed can recompute it.
    """
    digest = hashlib.sha256(f"{seed}:{application_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def priority_tiers(applicant: Applicant, group: Group | None) -> tuple[int, int]:
    """(programme, local) of the priority key: 0 for a programme member (WUB or
    women-entrepreneur), 0 for a resident of the group's kecamatan; no group is never local."""
    programme = 0 if applicant.wub_participant or applicant.women_programme else 1
    local = 0 if group is not None and applicant.kecamatan_code == group.kecamatan_code else 1
    return programme, local


def priority_key(applicant: Applicant, group: Group, seed: str) -> PriorityKey:
    """The applicant's priority at the group: lower is better.

    Programme members (WUB or women-entrepreneur) come first, then residents of the outlet's
    kecamatan, then the lottery.
    """
    return (*priority_tiers(applicant, group), lottery(seed, applicant.application_id))


def pack_key(tiers: tuple[int, int], index: int, n: int) -> int:
    """A priority key packed for the engine: (programme * 2 + local) * n + index, where `index`
    is the applicant's place in lottery order among `n`. It compares as (programme, local,
    lottery) does and tells back who it is by key % n."""
    return (tiers[0] * 2 + tiers[1]) * n + index


def unpack_key(key: int, n: int) -> tuple[tuple[int, int], int]:
    """((programme, local), index) of a packed key."""
    tier, index = divmod(key, n)
    return (tier // 2, tier % 2), index


def reserved_seats(capacity: int, share: float) -> int:
    """floor(capacity * share), reading the share as the decimal it is written as.

    Binary floating point would make 100 * 0.29 == 28.999..., reserving 28 seats instead of 29.
    """
    return math.floor(Decimal(repr(float(share))) * capacity)


def allocate(
    groups: Iterable[Group], applicants: Iterable[Applicant], params: Params
) -> AllocationResult:
    """Run vendor-proposing deferred acceptance and return the allocation.

    Raises ValueError (with one of this module's message constants) on invalid input.
    """
    group_list, applicant_list = _validated(groups, applicants, params)
    n = len(applicant_list)
    share = params.women_reserve_share
    cap = params.category_cap

    # Index applicants by lottery order (ties, vanishingly rare, broken by application id). A
    # priority key at a group then packs into one small int, tier * n + index, which compares
    # in the same order as (programme, local, lottery) and tells back who it is by key % n.
    lots = {a.application_id: lottery(params.seed, a.application_id) for a in applicant_list}
    apps = sorted(applicant_list, key=lambda a: (lots[a.application_id], a.application_id))

    group_index = {g.key: j for j, g in enumerate(group_list)}
    capacity = [g.capacity for g in group_list]
    reserved = [reserved_seats(g.capacity, share) for g in group_list]
    women = [a.women_programme for a in apps]
    category_ids: dict[str, int] = {}
    category = [category_ids.setdefault(a.product_category, len(category_ids)) for a in apps]

    # prefs[i][c] is the group index of applicant i's c-th choice (-1: no such group or no
    # seats, rejected outright) and keys[i][c] her packed priority key there.
    prefs: list[list[int]] = []
    keys: list[list[int]] = []
    for i, a in enumerate(apps):
        row: list[int] = []
        row_keys: list[int] = []
        for choice in a.choices:
            j = group_index.get(choice, -1)
            if j >= 0 and capacity[j] == 0:
                j = -1
            row.append(j)
            row_keys.append(pack_key(priority_tiers(a, group_list[j] if j >= 0 else None), i, n))
        prefs.append(row)
        keys.append(row_keys)

    held, next_choice = deferred_acceptance(
        prefs, keys, capacity, reserved, cap, women, category, n
    )
    return _result(group_list, apps, lots, params, held, next_choice, reserved, women, category)


def canonical_input(
    groups: Iterable[Group], applicants: Iterable[Applicant], params: Params
) -> bytes:
    """Deterministic JSON (UTF-8) of everything the result depends on, for SHA-256 auditing.

    Groups are sorted by key and applicants by id, so the bytes do not depend on input order;
    each applicant's choices keep their ranked order. The engine version is included because
    the result depends on it too.
    """
    group_list, applicant_list = _validated(groups, applicants, params)
    document = {
        "engine": ENGINE_VERSION,
        "params": {
            "seed": params.seed,
            "women_reserve_share": float(params.women_reserve_share),
            "category_cap": params.category_cap,
        },
        "groups": [
            {
                "outlet_id": g.key[0],
                "stall_kind": g.key[1],
                "capacity": g.capacity,
                "kecamatan_code": g.kecamatan_code,
            }
            for g in group_list
        ],
        "applicants": [
            {
                "application_id": a.application_id,
                "choices": [list(choice) for choice in a.choices],
                "wub_participant": bool(a.wub_participant),
                "women_programme": bool(a.women_programme),
                "kecamatan_code": a.kecamatan_code,
                "product_category": a.product_category,
            }
            for a in applicant_list
        ],
    }
    text = json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def _validated(
    groups: Iterable[Group], applicants: Iterable[Applicant], params: Params
) -> tuple[list[Group], list[Applicant]]:
    """Check the input and return groups sorted by key and applicants sorted by id."""
    share = params.women_reserve_share
    # bool is an int subclass; True as a share or a cap is a mistake, not 1.
    if isinstance(share, bool) or not isinstance(share, Real) or not 0 <= share <= 1:
        raise ValueError(INVALID_SHARE.format(share=share))
    cap = params.category_cap
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
        raise ValueError(INVALID_CAP.format(cap=cap))

    group_list = sorted(groups, key=lambda g: g.key)
    for previous, group in zip(group_list, group_list[1:], strict=False):
        if previous.key == group.key:
            raise ValueError(DUPLICATE_GROUP.format(key=group.key))
    for group in group_list:
        if (
            isinstance(group.capacity, bool)
            or not isinstance(group.capacity, int)
            or group.capacity < 0
        ):
            raise ValueError(INVALID_CAPACITY.format(key=group.key, capacity=group.capacity))

    applicant_list = sorted(applicants, key=lambda a: a.application_id)
    for previous, applicant in zip(applicant_list, applicant_list[1:], strict=False):
        if previous.application_id == applicant.application_id:
            raise ValueError(DUPLICATE_APPLICATION.format(application_id=applicant.application_id))
    for applicant in applicant_list:
        if len(set(applicant.choices)) != len(applicant.choices):
            seen: set[GroupKey] = set()
            for choice in applicant.choices:
                if choice in seen:
                    raise ValueError(
                        DUPLICATE_CHOICE.format(
                            application_id=applicant.application_id, choice=choice
                        )
                    )
                seen.add(choice)
    return group_list, applicant_list


def _result(
    group_list: list[Group],
    apps: list[Applicant],
    lots: dict[int, int],
    params: Params,
    held: list[list[int]],
    next_choice: list[int],
    reserved: list[int],
    women: list[bool],
    category: list[int],
) -> AllocationResult:
    """Unpack the packed state into the public result, keyed and ordered by id and group key."""
    n = len(apps)
    cap = params.category_cap
    assigned_group: list[int | None] = [None] * n
    group_results: dict[GroupKey, GroupResult] = {}
    category_names: dict[int, str] = {}
    for i, a in enumerate(apps):
        category_names.setdefault(category[i], a.product_category)
    reserve_total = 0
    for j, group in enumerate(group_list):
        group_held = held[j]
        for key in group_held:
            assigned_group[key % n] = j
        # The held set is a fixed point of the choice rule, so re-running it here only serves
        # to say which holders came in through the reserve pass.
        rule = choose_split if cap is not None and reserved[j] else choose
        _, _, reserve_picks = rule(group_held, group.capacity, reserved[j], cap, women, category, n)
        reserve_total += len(reserve_picks)
        capped: tuple[str, ...] = ()
        if cap is not None:
            # With the split rule the cap is counted on the reserved and the open seats apart.
            passes = [group_held]
            if reserved[j]:
                picks = set(reserve_picks)
                passes = [reserve_picks, [key for key in group_held if key not in picks]]
            full: set[str] = set()
            for seats in passes:
                tally: dict[int, int] = {}
                for key in seats:
                    tally[category[key % n]] = tally.get(category[key % n], 0) + 1
                full.update(category_names[k] for k, v in tally.items() if v >= cap)
            capped = tuple(sorted(full))
        filled = group.capacity > 0 and len(group_held) == group.capacity
        reserve_full = reserved[j] > 0 and len(reserve_picks) == reserved[j]
        group_results[group.key] = GroupResult(
            key=group.key,
            capacity=group.capacity,
            reserved=reserved[j],
            assigned=tuple(apps[key % n].application_id for key in group_held),
            cutoff=_unpack(group_held[-1], n, lots, apps) if filled else None,
            reserved_assigned=tuple(apps[key % n].application_id for key in reserve_picks),
            reserved_cutoff=_unpack(reserve_picks[-1], n, lots, apps) if reserve_full else None,
            capped_categories=capped,
        )

    group_by_key = {g.key: g for g in group_list}
    assignment: dict[int, GroupKey | None] = {}
    choice_rank: dict[int, int | None] = {}
    priorities: dict[int, tuple[PriorityKey, ...]] = {}
    longest = max((len(a.choices) for a in apps), default=0)
    rank_counts = [0] * (longest + 1)
    for i in sorted(range(n), key=lambda i: apps[i].application_id):
        a = apps[i]
        j = assigned_group[i]
        if j is None:
            assignment[a.application_id] = None
            choice_rank[a.application_id] = None
        else:
            assignment[a.application_id] = group_list[j].key
            choice_rank[a.application_id] = next_choice[i]
            rank_counts[next_choice[i]] += 1
        lot = lots[a.application_id]
        # A choice naming no known group has no kecamatan to match: it counts as non-local.
        priorities[a.application_id] = tuple(
            (*priority_tiers(a, group_by_key.get(choice)), lot) for choice in a.choices
        )

    assigned_total = sum(len(h) for h in held)
    capacity_total = sum(g.capacity for g in group_list)
    counts = {
        "applications": n,
        "groups": len(group_list),
        "capacity": capacity_total,
        "reserved": sum(reserved),
        "assigned": assigned_total,
        "unassigned": n - assigned_total,
        "vacant": capacity_total - assigned_total,
        "reserved_assigned": reserve_total,
    }
    for rank in range(1, longest + 1):
        counts[f"rank_{rank}"] = rank_counts[rank]
    return AllocationResult(
        assignment=assignment,
        choice_rank=choice_rank,
        priorities=priorities,
        groups=group_results,
        counts=counts,
    )


def _unpack(key: int, n: int, lots: dict[int, int], apps: list[Applicant]) -> PriorityKey:
    """The public (programme, local, lottery) key of a packed key."""
    tiers, i = unpack_key(key, n)
    return (*tiers, lots[apps[i].application_id])
