"""Tests for the pure stall-allocation engine (outlets/allocation.py): no Django, no database.

The engine is checked against the published rules rather than against itself: a hand-computed
lottery, the `matching` library's resident-optimal solution, an independent brute-force
stability check built from the published choice rule, a naive reference deferred acceptance, and
strategy-proofness by exhaustive misreports on small hypothesis-generated rounds.
"""

import itertools
import json
import random
import re
import warnings
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matching.games import HospitalResident

from outlets.allocation import (
    DUPLICATE_APPLICATION,
    DUPLICATE_CHOICE,
    DUPLICATE_GROUP,
    ENGINE_VERSION,
    INVALID_CAP,
    INVALID_CAPACITY,
    INVALID_SHARE,
    AllocationResult,
    Applicant,
    Group,
    GroupKey,
    GroupResult,
    Params,
    allocate,
    canonical_input,
    lottery,
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
            categories = [by_id[i].product_category for i in assigned]
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


# --- lottery and priority ---------------------------------------------------------------------


def test_lottery_matches_hand_computed_sha256():
    # given: printf 'depok-2025-1:42' | sha256sum
    #   -> 0dd3e245a968ef2a075c77fa1f10cf26416e6b8ccaf2a293b56f0d775ab085b5
    # when / then: the first 8 bytes, big-endian
    assert lottery("depok-2025-1", 42) == 0x0DD3E245A968EF2A == 996388731401858858


def test_lottery_differs_by_seed_and_id():
    assert lottery(SEED, 42) != lottery("depok-2025-2", 42)
    assert lottery(SEED, 42) != lottery(SEED, 43)


def test_priority_key_programme_then_kecamatan_then_lottery():
    group = Group((1, "kiosk"), 3, KEC_G)
    wub_away = make_applicant(1, (group.key,), wub=True, kecamatan=KEC_H)
    women_local = make_applicant(2, (group.key,), women=True, kecamatan=KEC_G)
    plain_local = make_applicant(3, (group.key,), kecamatan=KEC_G)
    plain_away = make_applicant(4, (group.key,), kecamatan=KEC_H)
    plain_nowhere = make_applicant(5, (group.key,), kecamatan=None)

    assert priority_key(wub_away, group, SEED) == (0, 1, lottery(SEED, 1))
    assert priority_key(women_local, group, SEED) == (0, 0, lottery(SEED, 2))
    assert priority_key(plain_local, group, SEED) == (1, 0, lottery(SEED, 3))
    assert priority_key(plain_away, group, SEED) == (1, 1, lottery(SEED, 4))
    assert priority_key(plain_nowhere, group, SEED) == (1, 1, lottery(SEED, 5))
    ranked = sorted(
        [plain_away, plain_local, wub_away, women_local],
        key=lambda a: priority_key(a, group, SEED),
    )
    assert [a.application_id for a in ranked] == [2, 1, 3, 4]


def test_reserved_seats_reads_the_share_as_written():
    assert reserved_seats(100, 0.29) == 29  # 100 * 0.29 == 28.999... in binary floating point
    assert reserved_seats(7, 0.5) == 3
    assert reserved_seats(3, 1.0) == 3
    assert reserved_seats(0, 0.5) == 0


# --- agreement with the matching library and with a naive reference ---------------------------


def matching_resident_optimal(
    groups: list[Group], applicants: list[Applicant], seed: str
) -> dict[int, GroupKey | None]:
    """Solve with `matching`: hospitals rank those who listed them in priority order."""
    usable = {g.key: g for g in groups if g.capacity > 0}
    resident_prefs = {
        a.application_id: [key for key in a.choices if key in usable] for a in applicants
    }
    resident_prefs = {i: prefs for i, prefs in resident_prefs.items() if prefs}
    by_id = {a.application_id: a for a in applicants}
    hospital_prefs = {
        key: sorted(
            (i for i, prefs in resident_prefs.items() if key in prefs),
            key=lambda i, group=group: priority_key(by_id[i], group, seed),
        )
        for key, group in usable.items()
    }
    hospital_prefs = {key: prefs for key, prefs in hospital_prefs.items() if prefs}
    answer: dict[int, GroupKey | None] = dict.fromkeys(by_id)
    if not resident_prefs:
        return answer
    capacities = {key: usable[key].capacity for key in hospital_prefs}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning would mean we fed it a malformed game
        game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, capacities)
        solution = game.solve(optimal="resident")
    for hospital, residents in solution.items():
        for resident in residents:
            answer[resident.name] = hospital.name
    return answer


def test_equals_matching_library_resident_optimal_on_200_random_rounds():
    rng = random.Random(20250601)
    for round_number in range(200):
        groups, applicants = random_round(rng, max_groups=6, max_applicants=25, max_capacity=4)
        seed = f"round-{round_number}"

        result = allocate(groups, applicants, Params(seed=seed))

        assert result.assignment == matching_resident_optimal(groups, applicants, seed), seed


@pytest.mark.parametrize(
    ("share", "cap"), [(0.0, None), (0.5, None), (1.0, None), (0.0, 1), (0.0, 2)]
)
def test_equals_naive_reference_deferred_acceptance(share, cap):
    # Without reserve+cap together the rule is substitutable, so any proposal order gives the
    # same result and a slow round-by-round run must agree with the engine's fast paths.
    rng = random.Random(7)
    for round_number in range(150):
        groups, applicants = random_round(rng, max_applicants=15)
        params = Params(f"ref-{round_number}", share, cap)

        result = allocate(groups, applicants, params)

        assert result.assignment == reference_allocate(groups, applicants, params)


# --- stability ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("share", "cap"),
    [(0.0, None), (0.34, None), (0.5, None), (1.0, None), (0.0, 1), (0.0, 2)],
)
def test_no_blocking_pair_on_random_small_rounds(share, cap):
    rng = random.Random(1000 + int(share * 100) + (cap or 0))
    for round_number in range(300):
        groups, applicants = random_round(rng)
        params = Params(f"stable-{round_number}", share, cap)

        result = allocate(groups, applicants, params)

        assert_feasible(groups, applicants, params, result)
        assert blocking_pairs(groups, applicants, params, result) == []


@pytest.mark.parametrize(("share", "cap"), [(0.5, 1), (0.34, 1), (1.0, 1), (0.5, 2)])
def test_reserve_with_cap_stays_feasible_on_random_small_rounds(share, cap):
    # Reserve and cap together make the rule non-substitutable, so stability is not
    # guaranteed (see the next test); what must still hold is feasibility.
    rng = random.Random(2000 + int(share * 100) + cap)
    for round_number in range(300):
        groups, applicants = random_round(rng)
        params = Params(f"mixed-{round_number}", share, cap)

        result = allocate(groups, applicants, params)

        assert_feasible(groups, applicants, params, result)


def test_reserve_with_cap_can_leave_a_blocking_pair():
    # given: g has 2 stalls, 1 reserved, cap 1; at g the order is w1 (craft) > m1 (food) >
    # w2 (food). w1 first tries h, where z outranks her; m1 and w2 reach g before she does.
    g = Group((1, "kiosk"), 2, KEC_G)
    h = Group((2, "kiosk"), 1, KEC_H)
    w1 = make_applicant(4, (h.key, g.key), women=True, kecamatan=KEC_G, category="craft")
    z = make_applicant(3, (h.key,), wub=True, kecamatan=KEC_H, category="craft")
    m1 = make_applicant(1, (g.key,), wub=True, kecamatan=KEC_H, category="food")
    w2 = make_applicant(2, (g.key,), women=True, kecamatan=KEC_H, category="food")
    params = Params(SEED, women_reserve_share=0.5, category_cap=1)
    keys = [priority_key(a, g, SEED) for a in (w1, m1, w2)]
    assert keys == sorted(keys)
    assert priority_key(z, h, SEED) < priority_key(w1, h, SEED)

    # when
    result = allocate([g, h], [w1, z, m1, w2], params)

    # then: w2 took the reserved seat while m1 was there (food at its cap), m1 was refused;
    # w1 then took the reserved seat and w2 moved to the open one, which m1 outranks her for.
    assert result.assignment == {1: None, 2: g.key, 3: h.key, 4: g.key}
    assert result.groups[g.key].reserved_assigned == (4,)
    assert blocking_pairs([g, h], [w1, z, m1, w2], params, result) == [(1, g.key)]


# --- strategy-proofness ---------------------------------------------------------------------------


@st.composite
def small_rounds(draw: st.DrawFn, shares: tuple[float, ...], caps: tuple[int | None, ...]):
    n_groups = draw(st.integers(1, 3))
    groups = [
        Group((outlet, "kiosk"), draw(st.integers(0, 3)), draw(st.sampled_from(KECAMATANS[:2])))
        for outlet in range(1, n_groups + 1)
    ]
    keys = [g.key for g in groups]
    applicants = []
    for application_id in range(1, draw(st.integers(1, 6)) + 1):
        order = draw(st.permutations(keys))
        applicants.append(
            make_applicant(
                application_id,
                tuple(order[: draw(st.integers(0, n_groups))]),
                wub=draw(st.booleans()),
                women=draw(st.booleans()),
                kecamatan=draw(st.sampled_from([*KECAMATANS[:2], None])),
                category=draw(st.sampled_from(CATEGORIES[:2])),
            )
        )
    params = Params(
        seed=draw(st.text(alphabet="abcxyz", min_size=1, max_size=4)),
        women_reserve_share=draw(st.sampled_from(shares)),
        category_cap=draw(st.sampled_from(caps)),
    )
    liar = draw(st.integers(0, len(applicants) - 1))
    return groups, applicants, params, liar


def best_misreport_gain(
    groups: list[Group], applicants: list[Applicant], params: Params, liar: int
) -> int:
    """How many places up her true list the liar can get by any other list (<= 0: none)."""
    truth = applicants[liar]

    def true_rank(key: GroupKey | None) -> int:
        # An unlisted group is worth no more to her than staying unassigned.
        return truth.choices.index(key) if key in truth.choices else len(truth.choices)

    honest = true_rank(allocate(groups, applicants, params).assignment[truth.application_id])
    keys = [g.key for g in groups]
    best = -1
    for length in range(len(keys) + 1):
        for report in itertools.permutations(keys, length):
            lied = [*applicants]
            lied[liar] = replace(truth, choices=report)
            outcome = allocate(groups, lied, params).assignment[truth.application_id]
            best = max(best, honest - true_rank(outcome))
    return best


@settings(max_examples=150, deadline=None, derandomize=True)
@given(small_rounds(shares=(0.0,), caps=(None,)))
def test_strategy_proof_without_reserve_or_cap(round_):
    groups, applicants, params, liar = round_
    assert best_misreport_gain(groups, applicants, params, liar) == 0


@settings(max_examples=150, deadline=None, derandomize=True)
@given(small_rounds(shares=(0.34, 0.5, 1.0), caps=(None,)))
def test_strategy_proof_with_reserve(round_):
    groups, applicants, params, liar = round_
    assert best_misreport_gain(groups, applicants, params, liar) == 0


@settings(max_examples=100, deadline=None, derandomize=True)
@given(small_rounds(shares=(0.0,), caps=(1, 2)))
def test_strategy_proof_with_cap(round_):
    groups, applicants, params, liar = round_
    assert best_misreport_gain(groups, applicants, params, liar) == 0


# --- the reserve and the cap on hand-built rounds ------------------------------------------------


def test_reserve_takes_the_best_member_first_then_everyone_by_priority():
    # given: 2 stalls, 1 reserved; order m1 > M1 > m2, where m1 and m2 are women-programme
    # members and M1 is a WUB participant only
    group = Group((1, "kiosk"), 2, KEC_G)
    m1 = make_applicant(4, (group.key,), women=True, kecamatan=KEC_G)
    big_m1 = make_applicant(1, (group.key,), wub=True, kecamatan=KEC_G)
    m2 = make_applicant(3, (group.key,), women=True, kecamatan=KEC_H)
    assert (
        priority_key(m1, group, SEED)
        < priority_key(big_m1, group, SEED)
        < priority_key(m2, group, SEED)
    )

    # when
    result = allocate([group], [m2, big_m1, m1], Params(SEED, women_reserve_share=0.5))

    # then: m1 fills the reserved seat, and M1 outranks m2 for the open one
    assert result.groups[group.key] == GroupResult(
        key=group.key,
        capacity=2,
        reserved=1,
        assigned=(4, 1),
        cutoff=priority_key(big_m1, group, SEED),
        reserved_assigned=(4,),
        reserved_cutoff=priority_key(m1, group, SEED),
        capped_categories=(),
    )
    assert result.assignment == {1: group.key, 3: None, 4: group.key}


def test_reserve_seats_a_member_ahead_of_a_better_ranked_non_member():
    # given: 2 stalls; order M1 > M2 > w1, only w1 in the women programme
    group = Group((1, "kiosk"), 2, KEC_G)
    big_m1 = make_applicant(4, (group.key,), wub=True, kecamatan=KEC_G)
    big_m2 = make_applicant(1, (group.key,), wub=True, kecamatan=KEC_G)
    w1 = make_applicant(3, (group.key,), women=True, kecamatan=KEC_H)
    applicants = [big_m1, big_m2, w1]

    # when
    reserved = allocate([group], applicants, Params(SEED, women_reserve_share=0.5))
    open_only = allocate([group], applicants, Params(SEED))

    # then: the worst admitted (the cutoff) is w1, on the reserved seat
    assert reserved.groups[group.key].assigned == (4, 3)
    assert reserved.groups[group.key].cutoff == priority_key(w1, group, SEED)
    assert reserved.groups[group.key].reserved_cutoff == priority_key(w1, group, SEED)
    assert open_only.groups[group.key].assigned == (4, 1)
    assert open_only.groups[group.key].reserved_assigned == ()


def test_unfilled_reserve_goes_to_everyone():
    group = Group((1, "kiosk"), 2, KEC_G)
    applicants = [make_applicant(i, (group.key,), kecamatan=KEC_G) for i in (1, 2, 3)]

    assert lottery(SEED, 3) < lottery(SEED, 1) < lottery(SEED, 2)

    result = allocate([group], applicants, Params(SEED, women_reserve_share=0.5))

    assert result.groups[group.key].assigned == (3, 1)
    assert result.groups[group.key].reserved == 1
    assert result.groups[group.key].reserved_assigned == ()
    assert result.groups[group.key].reserved_cutoff is None
    assert result.counts["reserved_assigned"] == 0


def test_category_cap_one_never_takes_two_of_a_category():
    # given: 3 stalls, cap 1; the three best are all food
    group = Group((1, "kiosk"), 3, KEC_G)
    food = [make_applicant(i, (group.key,), wub=True, category="food") for i in (4, 3, 1)]
    craft = make_applicant(2, (group.key,), category="craft")

    # when
    result = allocate([group], [*food, craft], Params(SEED, category_cap=1))

    # then: the best food vendor and the craft vendor; the third stall stays vacant
    assert result.groups[group.key].assigned == (4, 2)
    assert result.groups[group.key].cutoff is None
    assert result.groups[group.key].capped_categories == ("craft", "food")
    assert result.assignment == {1: None, 2: group.key, 3: None, 4: group.key}
    assert result.counts["vacant"] == 1


def test_capped_out_applicant_moves_to_her_next_choice():
    first = Group((1, "kiosk"), 2, KEC_G)
    second = Group((1, "booth"), 1, KEC_G)
    leader = make_applicant(4, (first.key,), wub=True, category="food")
    follower = make_applicant(3, (first.key, second.key), wub=True, category="food")

    result = allocate([first, second], [follower, leader], Params(SEED, category_cap=1))

    assert result.assignment == {3: second.key, 4: first.key}
    assert result.choice_rank == {3: 2, 4: 1}


def test_random_rounds_with_cap_one_never_hold_two_of_a_category():
    rng = random.Random(11)
    for round_number in range(200):
        groups, applicants = random_round(rng, max_capacity=4)
        result = allocate(groups, applicants, Params(f"cap-{round_number}", 0.5, 1))
        by_id = {a.application_id: a for a in applicants}
        for group_result in result.groups.values():
            categories = [by_id[i].product_category for i in group_result.assigned]
            assert len(categories) == len(set(categories))


# --- the shape of the result ---------------------------------------------------------------------


def test_unknown_and_full_groups_are_skipped_and_everything_is_reported():
    # given: one kiosk with one stall, a booth with none, and a choice naming no group
    kiosk = Group((1, "kiosk"), 1, KEC_G)
    booth = Group((1, "booth"), 0, KEC_G)
    local = make_applicant(7, ((5, "kiosk"), booth.key, kiosk.key), kecamatan=KEC_G)
    away = make_applicant(8, (kiosk.key,), kecamatan=KEC_H)
    idle = make_applicant(9, ())

    # when
    result = allocate([kiosk, booth], [idle, away, local], Params(SEED))

    # then
    assert result.assignment == {7: kiosk.key, 8: None, 9: None}
    assert result.choice_rank == {7: 3, 8: None, 9: None}
    assert result.priorities == {
        7: ((1, 1, lottery(SEED, 7)), (1, 0, lottery(SEED, 7)), (1, 0, lottery(SEED, 7))),
        8: ((1, 1, lottery(SEED, 8)),),
        9: (),
    }
    assert result.groups == {
        booth.key: GroupResult(booth.key, 0, 0, (), None),
        kiosk.key: GroupResult(kiosk.key, 1, 0, (7,), (1, 0, lottery(SEED, 7))),
    }
    assert result.counts == {
        "applications": 3,
        "groups": 2,
        "capacity": 1,
        "reserved": 0,
        "assigned": 1,
        "unassigned": 2,
        "vacant": 0,
        "reserved_assigned": 0,
        "rank_1": 0,
        "rank_2": 0,
        "rank_3": 1,
    }


def test_empty_round():
    result = allocate([], [], Params(SEED))

    assert result == AllocationResult(
        {},
        {},
        {},
        {},
        {
            "applications": 0,
            "groups": 0,
            "capacity": 0,
            "reserved": 0,
            "assigned": 0,
            "unassigned": 0,
            "vacant": 0,
            "reserved_assigned": 0,
        },
    )


# --- determinism and auditing --------------------------------------------------------------------


def test_same_seed_same_result_and_input_order_does_not_matter():
    rng = random.Random(5)
    groups, applicants = random_round(rng, max_groups=6, max_applicants=40, max_capacity=5)
    params = Params(SEED, women_reserve_share=0.5, category_cap=2)
    first = allocate(groups, applicants, params)

    again = allocate(list(groups), list(applicants), params)
    shuffled_groups, shuffled_applicants = list(groups), list(applicants)
    rng.shuffle(shuffled_groups)
    rng.shuffle(shuffled_applicants)
    reordered = allocate(reversed(shuffled_groups), iter(shuffled_applicants), params)

    assert again == first
    assert reordered == first
    assert list(reordered.assignment) == sorted(a.application_id for a in applicants)
    assert list(reordered.groups) == sorted(g.key for g in groups)


def test_seed_changes_the_lottery_and_so_the_result():
    group = Group((1, "kiosk"), 1, KEC_G)
    applicants = [make_applicant(i, (group.key,)) for i in range(1, 6)]

    winners = {
        seed: allocate([group], applicants, Params(seed)).groups[group.key].assigned
        for seed in ("a", "b", "c")
    }

    expected = {
        seed: (min(range(1, 6), key=lambda i, seed=seed: lottery(seed, i)),)
        for seed in ("a", "b", "c")
    }
    assert winners == expected
    assert len(set(winners.values())) > 1


def test_canonical_input_is_exact_and_order_independent():
    kiosk = Group((2, "kiosk"), 1, KEC_G)
    booth = Group((1, "booth"), 2, KEC_H)
    second = make_applicant(20, (kiosk.key, booth.key), women=True, kecamatan=None)
    first = make_applicant(10, (booth.key,), wub=True, kecamatan=KEC_G, category="kopi")
    params = Params("s", women_reserve_share=0.25, category_cap=2)

    data = canonical_input([kiosk, booth], [second, first], params)

    assert data == canonical_input([booth, kiosk], [first, second], params)
    assert (
        data
        == (
            '{"applicants":['
            '{"application_id":10,"choices":[[1,"booth"]],"kecamatan_code":"32.76.06",'
            '"product_category":"kopi","women_programme":false,"wub_participant":true},'
            '{"application_id":20,"choices":[[2,"kiosk"],[1,"booth"]],"kecamatan_code":null,'
            '"product_category":"food","women_programme":true,"wub_participant":false}],'
            f'"engine":"{ENGINE_VERSION}",'
            '"groups":['
            '{"capacity":2,"kecamatan_code":"32.76.01","outlet_id":1,"stall_kind":"booth"},'
            '{"capacity":1,"kecamatan_code":"32.76.06","outlet_id":2,"stall_kind":"kiosk"}],'
            '"params":{"category_cap":2,"seed":"s","women_reserve_share":0.25}}'
        ).encode()
    )
    assert json.loads(data)["engine"] == "deferred-acceptance/1"


def test_canonical_input_changes_with_anything_the_result_depends_on():
    group = Group((1, "kiosk"), 1, KEC_G)
    other = Group((2, "kiosk"), 1, KEC_G)
    applicant = make_applicant(1, (group.key, other.key))
    base = canonical_input([group, other], [applicant], Params(SEED))

    variants = [
        canonical_input([group, other], [applicant], Params("other-seed")),
        canonical_input([group, other], [applicant], Params(SEED, women_reserve_share=0.5)),
        canonical_input([group, other], [applicant], Params(SEED, category_cap=1)),
        canonical_input([replace(group, capacity=2), other], [applicant], Params(SEED)),
        canonical_input(
            [group, other], [replace(applicant, choices=(other.key, group.key))], Params(SEED)
        ),
        canonical_input([group, other], [replace(applicant, women_programme=True)], Params(SEED)),
    ]

    assert len({base, *variants}) == 7


# --- invalid input -------------------------------------------------------------------------------


GROUP = Group((1, "kiosk"), 1, KEC_G)


@pytest.mark.parametrize(
    ("groups", "applicants", "params", "message"),
    [
        pytest.param(
            [GROUP],
            [make_applicant(5, ()), make_applicant(5, (GROUP.key,))],
            Params(SEED),
            DUPLICATE_APPLICATION.format(application_id=5),
            id="duplicate-application",
        ),
        pytest.param(
            [GROUP],
            [make_applicant(5, (GROUP.key, (2, "booth"), GROUP.key))],
            Params(SEED),
            DUPLICATE_CHOICE.format(application_id=5, choice=GROUP.key),
            id="duplicate-choice",
        ),
        pytest.param(
            [GROUP, Group((1, "kiosk"), 2, KEC_H)],
            [],
            Params(SEED),
            DUPLICATE_GROUP.format(key=GROUP.key),
            id="duplicate-group",
        ),
        pytest.param(
            [Group((1, "kiosk"), -1, KEC_G)],
            [],
            Params(SEED),
            INVALID_CAPACITY.format(key=(1, "kiosk"), capacity=-1),
            id="negative-capacity",
        ),
        pytest.param(
            [GROUP],
            [],
            Params(SEED, women_reserve_share=1.5),
            INVALID_SHARE.format(share=1.5),
            id="share-above-one",
        ),
        pytest.param(
            [GROUP],
            [],
            Params(SEED, women_reserve_share=-0.1),
            INVALID_SHARE.format(share=-0.1),
            id="share-below-zero",
        ),
        pytest.param(
            [GROUP],
            [],
            Params(SEED, women_reserve_share=float("nan")),
            INVALID_SHARE.format(share=float("nan")),
            id="share-nan",
        ),
        pytest.param(
            [GROUP],
            [],
            Params(SEED, category_cap=0),
            INVALID_CAP.format(cap=0),
            id="cap-zero",
        ),
    ],
)
def test_invalid_input_raises_value_error(groups, applicants, params, message):
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        allocate(groups, applicants, params)
    assert str(raised.value) == message

    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        canonical_input(groups, applicants, params)
    assert str(raised.value) == message


def test_invalid_messages_name_the_culprit():
    assert DUPLICATE_APPLICATION.format(application_id=5) == "duplicate application id 5"
    assert (
        DUPLICATE_CHOICE.format(application_id=5, choice=(1, "kiosk"))
        == "application 5 lists group (1, 'kiosk') more than once"
    )
    assert INVALID_CAP.format(cap=0) == (
        "category_cap must be None or an integer of at least 1, got 0"
    )
