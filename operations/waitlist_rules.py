"""The waitlist's rule, pure (no ORM): who holds what after a vacancy.

After a round is allocated, each applicant waits for every group she ranked above the one she
got (all her choices if she got none). When stalls fall vacant, the outcome must be what
deferred acceptance gives on the same applications with the new capacities: each group's
capacity is the stalls its current holders hold plus its vacant stalls, and an applicant who
declined, let an offer lapse or lost her lease is out. Deferred acceptance with more seats and
fewer applicants leaves nobody worse off, so the changes are moves up a list: `moves` lists
them, and the service offers each mover a stall of her new group and releases what she held.
"""

from __future__ import annotations

from dataclasses import dataclass

from outlets import allocation

GroupKey = allocation.GroupKey


@dataclass(frozen=True)
class Move:
    application_id: int
    to_group: GroupKey
    from_group: GroupKey | None
    rank: int  # the rank of `to_group` in her choices


def outcome(
    groups: list[allocation.Group],
    applicants: list[allocation.Applicant],
    params: allocation.Params,
) -> dict[int, GroupKey | None]:
    """Deferred acceptance on the applicants still in, with the groups' current capacities."""
    return dict(allocation.allocate(groups, applicants, params).assignment)


def moves(
    holding: dict[int, GroupKey | None],
    after: dict[int, GroupKey | None],
    applicants: list[allocation.Applicant],
) -> list[Move]:
    """Who moves where, in a fixed order (by application id)."""
    choices = {a.application_id: a.choices for a in applicants}
    found = []
    for app_id in sorted(after):
        target = after[app_id]
        if target is None or target == holding.get(app_id):
            continue
        rank = choices[app_id].index(target) + 1
        found.append(Move(app_id, target, holding.get(app_id), rank))
    return found
