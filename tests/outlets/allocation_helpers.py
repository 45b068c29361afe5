"""Shared builders and independent checks for the allocation engine's tests: random rounds, the
published choice rule written out naively, a brute-force blocking-pair search and a naive
reference deferred acceptance."""

import random

from outlets.allocation import (
    AllocationResult,
    Applicant,
    Group,
    GroupKey,
    Params,
    priority_key,
    reserved_seats,
)

SEED = "depok-2025-1"
KEC_G = "32.76.06"  # Sukmajaya
KEC_H = "32.76.01"  # Pancoran Mas
KECAMATANS = ("32.76.01", "32.76.02", "32.76.06")
CATEGORIES = ("food", "craft", "fashion")


def make_applicant(
    application_id: int,
    choices: tuple[GroupKey, ...],
    *,
    wub: bool = False,
    women: bool = False,
    kecamatan: str | None = None,
    category: str = "food",
) -> Applicant:
    return Applicant(
        application_id=application_id,
        choices=choices,
        wub_participant=wub,
        women_programme=women,
        kecamatan_code=kecamatan,
        product_category=category,
    )


def random_round(
    rng: random.Random, *, max_groups: int = 5, max_applicants: int = 12, max_capacity: int = 3
) -> tuple[list[Group], list[Applicant]]:
    """A small random round, including unknown and zero-capacity choices and empty lists."""
    groups = [
        Group((outlet, kind), rng.randint(0, max_capacity), rng.choice(KECAMATANS))
        for outlet, kind in rng.sample(
            [(o, k) for o in range(1, 4) for k in ("kiosk", "booth")], rng.randint(1, max_groups)
        )
    ]
    listable = [g.key for g in groups] + [(99, "kiosk")]  # (99, "kiosk") does not exist
    applicants = [
        make_applicant(
            application_id,
            tuple(rng.sample(listable, rng.randint(0, len(listable)))),
            wub=rng.random() < 0.3,
            women=rng.random() < 0.4,
            kecamatan=rng.choice([*KECAMATANS, None]),
            category=rng.choice(CATEGORIES[:2]),
        )
        for application_id in rng.sample(range(1, 1000), rng.randint(1, max_applicants))
    ]
    return groups, applicants


def choice_rule(
    group: Group, candidates: set[int], by_id: dict[int, Applicant], params: Params
) -> set[int]:
    """The choice rule as docs/ARCHITECTURE.md states it, written out apart from the engine."""
    ranked = sorted(candidates, key=lambda i: (priority_key(by_id[i], group, params.seed), i))
    reserve = reserved_seats(group.capacity, params.women_reserve_share)
    cap = params.category_cap
    taken: list[int] = []
    per_category: dict[str, int] = {}

    def at_cap(i: int) -> bool:
        return cap is not None and per_category.get(by_id[i].product_category, 0) >= cap

    def take(i: int) -> None:
        taken.append(i)
        category = by_id[i].product_category
        per_category[category] = per_category.get(category, 0) + 1

    for i in ranked:
        if len(taken) == reserve:
            break
        if by_id[i].women_programme and not at_cap(i):
            take(i)
    if reserve:
        # With a reserve the cap counts the open seats apart from the reserved ones (#19).
        per_category.clear()
    for i in ranked:
        if len(taken) == group.capacity:
            break
        if i not in taken and not at_cap(i):
            take(i)
    return set(taken)


def blocking_pairs(
    groups: list[Group], applicants: list[Applicant], params: Params, result: AllocationResult
) -> list[tuple[int, GroupKey]]:
    """Every (applicant, group) where she prefers the group and its rule would choose her."""
    by_id = {a.application_id: a for a in applicants}
    found = []
    for group in groups:
        held = set(result.groups[group.key].assigned)
        for applicant in applicants:
            if group.key not in applicant.choices or applicant.application_id in held:
                continue
            current = result.assignment[applicant.application_id]
            if current is not None and (
                applicant.choices.index(current) < applicant.choices.index(group.key)
            ):
                continue
            chosen = choice_rule(group, held | {applicant.application_id}, by_id, params)
            if applicant.application_id in chosen:
                found.append((applicant.application_id, group.key))
    return found


def assert_feasible(
    groups: list[Group], applicants: list[Applicant], params: Params, result: AllocationResult
) -> None:
    """Within capacity and caps, only listed groups, and each group holds what its rule picks."""
    by_id = {a.application_id: a for a in applicants}
    assert set(result.assignment) == set(by_id)
    for application_id, key in result.assignment.items():
        if key is None:
            assert result.choice_rank[application_id] is None
        else:
            assert application_id in result.groups[key].assigned
            assert by_id[application_id].choices[result.choice_rank[application_id] - 1] == key
    for group in groups:
        assigned = result.groups[group.key].assigned
        assert len(assigned) <= group.capacity
        assert all(result.assignment[i] == group.key for i in assigned)
        assert choice_rule(group, set(assigned), by_id, params) == set(assigned)
        if params.category_cap is not None:
            # The reserved seats and the open seats each keep the cap (#19).
            reserve_picks = set(result.groups[group.key].reserved_assigned)
            for seats in (reserve_picks, set(assigned) - reserve_picks):
                categories = [by_id[i].product_category for i in seats]
                assert max(map(categories.count, categories), default=0) <= params.category_cap


def reference_allocate(
    groups: list[Group], applicants: list[Applicant], params: Params
) -> dict[int, GroupKey | None]:
    """Naive round-by-round deferred acceptance that re-runs the plain choice rule every time."""
    by_id = {a.application_id: a for a in applicants}
    by_key = {g.key: g for g in groups}
    held: dict[GroupKey, set[int]] = {g.key: set() for g in groups}
    position = dict.fromkeys(by_id, 0)
    where: dict[int, GroupKey | None] = dict.fromkeys(by_id)
    while True:
        proposals: dict[GroupKey, set[int]] = {}
        for i, applicant in by_id.items():
            while where[i] is None and position[i] < len(applicant.choices):
                key = applicant.choices[position[i]]
                position[i] += 1
                if key in by_key and by_key[key].capacity > 0:
                    proposals.setdefault(key, set()).add(i)
                    break
        if not proposals:
            return where
        for key, proposers in proposals.items():
            pool = held[key] | proposers
            held[key] = choice_rule(by_key[key], pool, by_id, params)
            for i in pool:
                where[i] = key if i in held[key] else None
