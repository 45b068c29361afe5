"""Verdicts in bulk: what `assess` answers for `repurposable`, for many assets at once.

A bulk re-assessment (an import, `assess_assets`, a change's neighbours) stores only each
asset's verdict. Making every explanation and figure for 100,000 assets dominated an import, so
this module decides the same rules from the same predicates in `assets_app.assessment`, with
the coverage rule vectorised per facility type. Pure like that module: no ORM.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from assets_app.assessment import (
    Facilities,
    Settings,
    Standard,
    Subject,
    applies,
    capacity_figures,
    capacity_passes,
    condition_passes,
    land_area_passes,
    status_passes,
)
from geodata.coverage import Demand


def verdicts(
    subjects: Sequence[Subject],
    *,
    demand: Demand,
    facilities: Mapping[str, Facilities],
    standards: Mapping[str, Standard],
    settings: Settings,
) -> dict[int, bool]:
    """`{id: repurposable}` for many subjects at once, equal to `assess(...)["repurposable"]`.

    What a bulk run stores is the verdict alone, so no texts, alternatives or figures are made,
    and the coverage rule is decided for all subjects of a type together: every (facility, cell)
    and (subject, cell) pair within the radius comes from one spatial-index query, each cell
    knows how many serving facilities reach it, and a subject's cell is lost when none but the
    subject itself does. The tests hold this equal to `assess` on random registers.
    """
    result: dict[int, bool] = {}
    pending: dict[str, list[Subject]] = {}
    for subject in subjects:
        passed = (
            status_passes(subject)
            and condition_passes(subject)
            and land_area_passes(subject, settings.min_land_area_m2)
        )
        if passed and applies(subject):
            if standards.get(subject.facility_type) is None or subject.kecamatan is None:
                passed = False
            else:
                pending.setdefault(subject.facility_type, []).append(subject)
                continue
        result[subject.id] = bool(passed)
    for facility_type, group in pending.items():
        standard = standards[facility_type]
        serving = facilities.get(facility_type, Facilities.empty())
        lost = _uncovered_populations(group, demand=demand, facilities=serving, standard=standard)
        for subject, uncovered in zip(group, lost, strict=True):
            result[subject.id] = round(float(uncovered)) <= settings.uncovered_threshold and (
                capacity_passes(
                    capacity_figures(subject, demand=demand, facilities=serving, standard=standard)
                )
            )
    return result


def _uncovered_populations(
    subjects: Sequence[Subject], *, demand: Demand, facilities: Facilities, standard: Standard
) -> np.ndarray:
    """`newly_uncovered_population` (unrounded) of each subject, by the same tests as
    `coverage_figures`: a cell is in the catchment when dx² + dy² <= r², reached when
    hypot(dx, dy) <= r."""
    radius = float(standard.radius_m)
    reached = demand.reach_counts(facilities.x, facilities.y, radius)
    sx = np.array([s.x for s in subjects])
    sy = np.array([s.y for s in subjects])
    k, c = demand.pairs_within(sx, sy, radius)
    dx, dy = demand.x[c] - sx[k], demand.y[c] - sy[k]
    inside = dx * dx + dy * dy <= radius * radius
    k, c = k[inside], c[inside]
    # Take the subject's own reach off where it is itself a serving facility.
    position = {int(fid): i for i, fid in enumerate(facilities.ids.tolist())}
    own = np.array([position.get(s.id, -1) for s in subjects])[k]
    mine = own >= 0
    own_reach = np.zeros(len(k), dtype=bool)
    own_reach[mine] = (
        np.hypot(
            demand.x[c[mine]] - facilities.x[own[mine]], demand.y[c[mine]] - facilities.y[own[mine]]
        )
        <= radius
    )
    lost = reached[c] - own_reach == 0
    return np.bincount(k[lost], weights=demand.population[c[lost]], minlength=len(subjects))
