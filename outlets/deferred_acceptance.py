"""The core of the allocation engine: vendor-proposing deferred acceptance on packed keys.

Pure, like `outlets.allocation`, which builds its input (each applicant's groups and packed
priority keys, `allocation.pack_key`) and reads its output back into a result. A packed key is
an int: lower is better, and key % n is the applicant's index. Each group chooses with the
reserve-then-open rule (`choose`), or, when a group has both a reserve and a category cap, the
split rule (`choose_split`: the cap counted on the reserved and the open seats apart); see
`outlets.allocation` for the rules and their guarantees.
"""

from bisect import insort
from collections import deque
from heapq import heappush, heapreplace


def choose(
    held: list[int],
    quota: int,
    reserve: int,
    cap: int | None,
    women: list[bool],
    category: list[int],
    n: int,
) -> tuple[list[int], list[int], list[int]]:
    """Apply a group's choice rule to `held` (packed keys, best first).

    Returns (chosen, rejected, chosen by the reserve pass), each best first.
    """
    picked = [False] * len(held)
    counts: dict[int, int] = {}
    taken = 0
    if reserve:
        for pos, key in enumerate(held):
            i = key % n
            if not women[i]:
                continue
            if cap is not None:
                kind = category[i]
                if counts.get(kind, 0) >= cap:
                    continue
                counts[kind] = counts.get(kind, 0) + 1
            picked[pos] = True
            taken += 1
            if taken == reserve:
                break
    reserve_picks = [key for key, p in zip(held, picked, strict=True) if p]
    if taken < quota:
        for pos, key in enumerate(held):
            if picked[pos]:
                continue
            if cap is not None:
                kind = category[key % n]
                if counts.get(kind, 0) >= cap:
                    continue
                counts[kind] = counts.get(kind, 0) + 1
            picked[pos] = True
            taken += 1
            if taken == quota:
                break
    chosen = [key for key, p in zip(held, picked, strict=True) if p]
    rejected = [key for key, p in zip(held, picked, strict=True) if not p]
    return chosen, rejected, reserve_picks


def choose_split(
    held: list[int],
    quota: int,
    reserve: int,
    cap: int,
    women: list[bool],
    category: list[int],
    n: int,
) -> tuple[list[int], list[int], list[int]]:
    """The rule for a reserve and a cap together: the reserved seats and the open seats each
    count the cap on their own.

    First women-programme members in priority order, at most `cap` of one category, until
    `reserve` are taken; then everyone left in priority order, at most `cap` of one category
    among these open picks, until `quota` are taken (reserved seats left empty go to the open
    pass). Each pass is a greedy pick under a uniform-plus-partition bound, so the rule is
    substitutable and satisfies the law of aggregate demand (tests/fairness prove it over every
    small pool). Returns (chosen, rejected, chosen by the reserve pass), each best first.
    """
    picked = [False] * len(held)
    counts: dict[int, int] = {}
    taken = 0
    for pos, key in enumerate(held):
        if taken == reserve:
            break
        i = key % n
        kind = category[i]
        if women[i] and counts.get(kind, 0) < cap:
            counts[kind] = counts.get(kind, 0) + 1
            picked[pos] = True
            taken += 1
    reserve_picks = [key for key, p in zip(held, picked, strict=True) if p]
    counts = {}
    for pos, key in enumerate(held):
        if taken == quota:
            break
        kind = category[key % n]
        if not picked[pos] and counts.get(kind, 0) < cap:
            counts[kind] = counts.get(kind, 0) + 1
            picked[pos] = True
            taken += 1
    chosen = [key for key, p in zip(held, picked, strict=True) if p]
    rejected = [key for key, p in zip(held, picked, strict=True) if not p]
    return chosen, rejected, reserve_picks


def tally(held: list[int], category: list[int], n: int) -> tuple[dict[int, int], dict[int, int]]:
    """Per category among `held` (best first): how many, and the worst one's key."""
    counts: dict[int, int] = {}
    worst: dict[int, int] = {}
    for key in held:
        kind = category[key % n]
        counts[kind] = counts.get(kind, 0) + 1
        worst[kind] = key
    return counts, worst


def deferred_acceptance(
    prefs: list[list[int]],
    keys: list[list[int]],
    capacity: list[int],
    reserved: list[int],
    cap: int | None,
    women: list[bool],
    category: list[int],
    n: int,
) -> tuple[list[list[int]], list[int]]:
    """Vendor-proposing deferred acceptance on packed keys.

    Returns each group's held keys (best first) and, per applicant, how far down her list she
    got (a held applicant's group is her choice number next_choice[i], 1-based).
    """
    # A group with no reserve and no cap takes the best `capacity` proposers: a max-heap of its
    # held keys (negated) answers "is the newcomer better than my worst?" in O(log q). Other
    # groups keep a sorted list and re-run the full choice rule only when a newcomer might
    # change what they hold other than by simply joining; the shortcuts below rely on what
    # they hold being a fixed point of the rule (choosing from it again picks all of it).
    plain = [cap is None and r == 0 for r in reserved]
    split = [cap is not None and r > 0 for r in reserved]
    held: list[list[int]] = [[] for _ in capacity]
    reserve_taken = [0] * len(capacity)  # reserve-pass picks among what each group holds
    reserve_last = [-1] * len(capacity)  # the worst of those picks
    counts: list[dict[int, int]] = [{} for _ in capacity]  # held per category
    worst: list[dict[int, int]] = [{} for _ in capacity]  # worst held key per category
    next_choice = [0] * n
    free = deque(range(n))
    while free:
        i = free.popleft()
        row = prefs[i]
        row_keys = keys[i]
        while next_choice[i] < len(row):
            c = next_choice[i]
            next_choice[i] = c + 1
            j = row[c]
            if j < 0:
                continue
            key = row_keys[c]
            quota = capacity[j]
            group_held = held[j]
            if plain[j]:
                if len(group_held) < quota:
                    heappush(group_held, -key)
                    break
                if -group_held[0] > key:
                    free.append(-heapreplace(group_held, -key) % n)
                    break
                continue

            reserve = reserved[j]
            if split[j]:
                # Reserve and cap together: insert her and re-run the split rule.
                insort(group_held, key)
                held[j], rejected, _ = choose_split(
                    group_held, quota, reserve, cap, women, category, n
                )
                free.extend(other_key % n for other_key in rejected if other_key != key)
                if key not in rejected:
                    break
                continue
            kind = category[i]
            # She cannot be a reserve pick if she is no member, or if the reserve pass already
            # stops at someone ahead of her.
            no_reserve_claim = not women[i] or (
                reserve_taken[j] == reserve and key > reserve_last[j]
            )
            if no_reserve_claim and len(group_held) == quota and key > group_held[-1]:
                # Full, and she is behind everyone held: the rule reaches its quota first.
                continue
            at_cap = cap is not None and counts[j].get(kind, 0) >= cap
            if no_reserve_claim and at_cap and key > worst[j][kind]:
                # Everyone of her category held is ahead of her and fills its cap.
                continue
            if (
                len(group_held) < quota
                and not at_cap
                and not (women[i] and reserve and reserve_taken[j] == reserve)
            ):
                # Room for her, and no category over its cap, so nobody gets skipped: she
                # joins, and the reserve pass takes one more member if it has a seat left.
                insort(group_held, key)
                if women[i] and reserve_taken[j] < reserve:
                    reserve_taken[j] += 1
                    reserve_last[j] = max(reserve_last[j], key)
                counts[j][kind] = counts[j].get(kind, 0) + 1
                worst[j][kind] = max(worst[j].get(kind, -1), key)
                break

            insort(group_held, key)
            chosen, rejected, reserve_picks = choose(
                group_held, quota, reserve, cap, women, category, n
            )
            held[j] = chosen
            reserve_taken[j] = len(reserve_picks)
            reserve_last[j] = reserve_picks[-1] if reserve_picks else -1
            counts[j], worst[j] = tally(chosen, category, n)
            accepted = True
            for other_key in rejected:
                other = other_key % n
                if other == i:
                    accepted = False
                else:
                    free.append(other)
            if accepted:
                break
    for j, group_held in enumerate(held):
        if plain[j]:
            held[j] = sorted(-key for key in group_held)
    return held, next_choice
