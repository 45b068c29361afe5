"""Tests for the pure stall-allocation engine (outlets/allocation.py): no Django, no database.

This file holds the hand-built cases: a hand-computed lottery and priority key, the reserve and
the cap on small rounds, the result's shape, determinism and auditing, invalid input. The
properties checked on random rounds (agreement with the `matching` library and a naive reference,
stability, strategy-proofness) are in test_allocation_properties.py.
"""

import json
import random
import re
from dataclasses import replace

import pytest

from outlets.allocation import (
    DUPLICATE_APPLICATION,
    DUPLICATE_CHOICE,
    DUPLICATE_GROUP,
    ENGINE_VERSION,
    INVALID_CAP,
    INVALID_CAPACITY,
    INVALID_SHARE,
    AllocationResult,
    Group,
    GroupResult,
    Params,
    allocate,
    canonical_input,
    lottery,
    priority_key,
    reserved_seats,
)
from tests.outlets.allocation_helpers import (
    KEC_G,
    KEC_H,
    SEED,
    make_applicant,
    random_round,
)

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


def test_random_rounds_with_cap_one_never_seat_two_of_a_category_alike():
    rng = random.Random(11)
    for round_number in range(200):
        groups, applicants = random_round(rng, max_capacity=4)
        result = allocate(groups, applicants, Params(f"cap-{round_number}", 0.5, 1))
        by_id = {a.application_id: a for a in applicants}
        for group_result in result.groups.values():
            # With the reserve, the reserved and the open seats each hold one per category (#19).
            reserved = set(group_result.reserved_assigned)
            open_seats = set(group_result.assigned) - reserved
            for seats in (reserved, open_seats):
                categories = [by_id[i].product_category for i in seats]
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
    assert json.loads(data)["engine"] == "deferred-acceptance/2"


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
