"""Properties of the allocation engine on random rounds (outlets/allocation.py), checked against
the published rules rather than against itself: the `matching` library's resident-optimal
solution, a naive reference deferred acceptance, an independent brute-force stability check
built from the published choice rule, and strategy-proofness by exhaustive misreports on small
hypothesis-generated rounds.
"""

import itertools
import random
import warnings
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matching.games import HospitalResident

from outlets.allocation import (
    Applicant,
    Group,
    GroupKey,
    Params,
    allocate,
    priority_key,
)
from tests.outlets.allocation_helpers import (
    CATEGORIES,
    KEC_G,
    KEC_H,
    KECAMATANS,
    SEED,
    assert_feasible,
    blocking_pairs,
    make_applicant,
    random_round,
    reference_allocate,
)

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
def test_reserve_with_cap_is_stable_on_random_small_rounds(share, cap):
    # Reserve and cap together use the split rule (#19): feasible and stable.
    rng = random.Random(2000 + int(share * 100) + cap)
    for round_number in range(300):
        groups, applicants = random_round(rng)
        params = Params(f"mixed-{round_number}", share, cap)

        result = allocate(groups, applicants, params)

        assert_feasible(groups, applicants, params, result)
        assert blocking_pairs(groups, applicants, params, result) == []


def test_reserve_with_cap_no_longer_leaves_the_old_blocking_pair():
    # given: the round whose blocking pair (m1, g) the old combined rule left: g has 2 stalls,
    # 1 reserved, cap 1; at g the order is w1 (craft) > m1 (food) > w2 (food).
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

    # then: w1 takes the reserved seat, m1 the open one (food counted on open seats only)
    assert result.assignment == {1: g.key, 2: None, 3: h.key, 4: g.key}
    assert result.groups[g.key].reserved_assigned == (4,)
    assert blocking_pairs([g, h], [w1, z, m1, w2], params, result) == []


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
