"""Reserve and category cap together (#19): the split rule, proved on every small instance.

The guarantees rest on two properties of each group's choice rule (Hatfield and Milgrom, 2005):
substitutability (a vendor chosen from a pool is still chosen from any smaller pool holding
her) and the law of aggregate demand (a larger pool never fills fewer seats). Both are checked
here on every pool of a 4-vendor universe, for every women/category labelling, quota, reserve
and cap. Then, on every instance of a small market (three vendors, two groups, every ranked
list, every priority order at the reserved group, every labelling), deferred acceptance is
checked for pairwise stability (no vendor and group would both rather be matched, by the rule
written out here from the design) and strategy-proofness (no vendor gains by any other list);
hypothesis checks the same on larger random rounds.
"""

import hashlib
import itertools
import json
import random

from hypothesis import given, settings

from outlets.allocation import Params, allocate
from outlets.deferred_acceptance import choose_split, deferred_acceptance
from tests.outlets.allocation_helpers import (
    assert_feasible,
    blocking_pairs,
    random_round,
    reference_allocate,
)
from tests.outlets.test_allocation_properties import best_misreport_gain, small_rounds


def written_rule(pool, quota, reserve, cap, women, category):
    """The split rule as the design states it, apart from the engine; `pool` is a set of
    vendor numbers, and a lower number has the better priority."""
    ranked = sorted(pool)
    taken, per_category = [], {}
    for i in ranked:
        if len(taken) == reserve:
            break
        if women[i] and per_category.get(category[i], 0) < cap:
            taken.append(i)
            per_category[category[i]] = per_category.get(category[i], 0) + 1
    per_category = {}
    for i in ranked:
        if len(taken) == quota:
            break
        if i not in taken and per_category.get(category[i], 0) < cap:
            taken.append(i)
            per_category[category[i]] = per_category.get(category[i], 0) + 1
    return set(taken)


def engine_rule(pool, quota, reserve, cap, women, category, n):
    chosen, _, _ = choose_split(sorted(pool), quota, reserve, cap, women, category, n)
    return set(chosen)


def test_the_engine_rule_is_the_written_rule_and_substitutable_with_aggregate_demand():
    n = 4
    checked = 0
    for women in itertools.product([False, True], repeat=n):
        for rest in itertools.product([0, 1], repeat=n - 1):
            category = [0, *rest]  # up to renaming, the first vendor's category is 0
            for quota in (1, 2, 3):
                for reserve in range(1, quota + 1):
                    for cap in (1, 2):
                        chosen = {}
                        for mask in range(1 << n):
                            pool = frozenset(i for i in range(n) if mask >> i & 1)
                            got = engine_rule(pool, quota, reserve, cap, women, category, n)
                            assert got == written_rule(pool, quota, reserve, cap, women, category)
                            chosen[pool] = got
                        for pool, got in chosen.items():
                            for j in set(range(n)) - pool:
                                bigger = chosen[pool | {j}]
                                # substitutability: nobody else is chosen only thanks to j
                                assert bigger - {j} <= got, (women, category, pool, j)
                                # the law of aggregate demand
                                assert len(bigger) >= len(got)
                                checked += 1
    assert checked == 16 * 8 * 12 * 32


def _da(prefs, orders, capacity, reserved, cap, women, category):
    """Deferred acceptance through the engine's core with explicit priority orders: at group j
    vendor i's key is (her place in orders[j]) * n + i."""
    n = len(prefs)
    keys = [[orders[j].index(i) * n + i for j in row] for i, row in enumerate(prefs)]
    held, _ = deferred_acceptance(prefs, keys, capacity, reserved, cap, women, category, n)
    match = [None] * n
    for j, group_held in enumerate(held):
        for key in group_held:
            match[key % n] = j
    return match


def _rule_by_order(j, pool, orders, capacity, reserved, cap, women, category):
    """The written rule at group j, with priority by j's order."""
    place = {i: orders[j].index(i) for i in pool}
    ranked = sorted(pool, key=place.get)
    relabel = {v: k for k, v in enumerate(ranked)}
    got = written_rule(
        set(relabel.values()),
        capacity[j],
        reserved[j],
        cap if cap is not None else len(pool) + 1,
        [women[i] for i in ranked],
        [category[i] for i in ranked],
    )
    return {ranked[k] for k in got}


def test_every_small_market_is_stable_and_strategy_proof():
    # two groups: g (2 stalls, 1 reserved, cap 1, every priority order) and h (1 stall, plain,
    # one fixed order); three vendors with every ranked list, women flag and category.
    n = 3
    lists = [[], [0], [1], [0, 1], [1, 0]]
    capacity, reserved, cap = [2, 1], [1, 0], 1
    instances = 0
    for women in itertools.product([False, True], repeat=n):
        for rest in itertools.product([0, 1], repeat=n - 1):
            category = [0, *rest]
            for order_g in itertools.permutations(range(n)):
                orders = [list(order_g), [0, 1, 2]]
                for prefs in itertools.product(lists, repeat=n):
                    prefs = [list(p) for p in prefs]
                    match = _da(prefs, orders, capacity, reserved, cap, women, category)
                    held = [{i for i in range(n) if match[i] == j} for j in range(2)]
                    for j in range(2):
                        # individually rational: each group keeps what it holds
                        assert (
                            _rule_by_order(
                                j, held[j], orders, capacity, reserved, cap, women, category
                            )
                            == held[j]
                        )
                        for i in range(n):
                            if j not in prefs[i] or match[i] == j:
                                continue
                            mine = match[i]
                            if mine is not None and prefs[i].index(mine) < prefs[i].index(j):
                                continue
                            # no blocking pair: j's rule would not take her from held + her
                            assert i not in _rule_by_order(
                                j, held[j] | {i}, orders, capacity, reserved, cap, women, category
                            ), (women, category, orders, prefs, i, j)
                    for liar in range(n):
                        truth = prefs[liar]

                        def worth(j, truth=truth):
                            return truth.index(j) if j in truth else len(truth)

                        honest = worth(match[liar])
                        for report in lists:
                            lied = [*prefs]
                            lied[liar] = report
                            got = _da(lied, orders, capacity, reserved, cap, women, category)
                            assert worth(got[liar]) >= honest, (prefs, liar, report)
                    instances += 1
    assert instances == 8 * 4 * 6 * 125


@settings(max_examples=60, deadline=None, derandomize=True)
@given(small_rounds(shares=(0.34, 0.5, 1.0), caps=(1, 2)))
def test_strategy_proof_with_reserve_and_cap(round_):
    groups, applicants, params, liar = round_
    assert best_misreport_gain(groups, applicants, params, liar) == 0


def test_larger_random_rounds_with_reserve_and_cap_are_stable_and_match_the_reference():
    rng = random.Random(19)
    for round_number in range(150):
        groups, applicants = random_round(rng, max_groups=6, max_applicants=30, max_capacity=5)
        params = Params(f"split-{round_number}", rng.choice((0.25, 0.5, 1.0)), rng.choice((1, 2)))
        result = allocate(groups, applicants, params)
        assert_feasible(groups, applicants, params, result)
        assert blocking_pairs(groups, applicants, params, result) == []
        assert result.assignment == reference_allocate(groups, applicants, params)


# The digest of 400 random rounds with a reserve alone, a cap alone or neither, as engine version
# 1 (git 9df2c57, before the split rule) allocated them: assignments, each group's admitted and
# reserve picks, capped categories and counts.
ENGINE_V1_DIGEST = "74189708f6458bdcb435366483e69966526e9f1981b60ced83989ede375149e2"


def test_with_one_of_reserve_or_cap_the_results_are_engine_version_1s():
    rng = random.Random(1919)
    digest = hashlib.sha256()
    modes = [(0.5, None), (0.34, None), (1.0, None), (0.0, 1), (0.0, 2), (0.0, None)]
    for k in range(400):
        groups, applicants = random_round(rng, max_groups=6, max_applicants=25, max_capacity=4)
        share, cap = modes[k % 6]
        result = allocate(groups, applicants, Params(f"v1-{k}", share, cap))
        document = {
            "assignment": sorted((i, list(g) if g else None) for i, g in result.assignment.items()),
            "groups": [
                [list(key), list(g.assigned), list(g.reserved_assigned), list(g.capped_categories)]
                for key, g in sorted(result.groups.items())
            ],
            "counts": sorted(result.counts.items()),
        }
        digest.update(json.dumps(document).encode())
    assert digest.hexdigest() == ENGINE_V1_DIGEST
