"""The repurposing assessment: may this asset leave its current use for economic use?

A pure module over plain data (dataclasses and numpy arrays in EPSG:32748 metres); nothing here
touches the ORM. The service in `assets_app.repurposing` loads the asset, the serving facilities
of its type, the population cells and the service standard, calls `assess`, and stores the
answer. Five rules, always in this order and always present:

- `status`: the asset is in service, underused or idle;
- `condition`: not heavily damaged;
- `land_area`: at least the minimum outlet size;
- `coverage` (education and health assets with a facility type): the residents inside the
  asset's service radius whom no other serving facility of the same type reaches within its
  radius (`newly_uncovered_population`) may be at most a threshold. Demand is city-wide: a cell
  across a kecamatan border counts like any other;
- `capacity` (the same assets): after removal, the kecamatan still has at least
  ceil(kecamatan population / residents per facility) serving facilities of the type.

For other assets `coverage` and `capacity` pass as "not applicable".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext_lazy as _

import numpy as np

from geodata.coverage import Demand, covered, distances, grid_for, reach_matrix

RULES = ("status", "condition", "land_area", "coverage", "capacity")
# The statuses an asset may be repurposed from: the assessment's status check and the proposal
# both read this one list (the others are designated, an outlet, or disposed of).
ELIGIBLE_STATUSES = ("in_service", "underused", "idle")
SERVING_STATUSES = ("in_service", "underused")
FACILITY_USES = ("education", "health")
# How many alternatives the coverage figures list (nearest first); the count is always given.
MAX_ALTERNATIVES = 50

NOT_APPLICABLE = _("not applicable")
STATUS_OK = _("The asset is {status}.")
STATUS_FAILS = _("The asset is {status}; only in-service, underused or idle assets qualify.")
CONDITION_OK = _("The condition is {condition}.")
CONDITION_FAILS = _("The building is heavily damaged.")
LAND_AREA_OK = _("Land area {area:,.0f} m² is at least the minimum of {minimum:,.0f} m².")
LAND_AREA_FAILS = _("Land area {area:,.0f} m² is below the minimum of {minimum:,.0f} m².")
LAND_AREA_UNKNOWN = _(
    "The land area is not recorded; it must be at least {minimum:,.0f} m² for an outlet."
)
NO_STANDARD = _("No service standard is set for facility type {facility_type}.")
COVERAGE_METHOD = _(
    "Straight-line distance in EPSG:32748 from each demand cell's centroid (cells of at most "
    "250 m x 250 m clipped to the kelurahan) to the facility's point (the asset's "
    "representative point); a cell within the radius is covered."
)
COVERAGE_OK = _(
    "Of {covered:,} residents within {radius:,.0f} m, {uncovered:,} would be left without a "
    "{facility_type} within reach (threshold {threshold:,})."
)
COVERAGE_FAILS = _(
    "{uncovered:,} of the {covered:,} residents within {radius:,.0f} m have no other "
    "{facility_type} within reach (threshold {threshold:,})."
)
CAPACITY_OK = _(
    "Kecamatan {kecamatan} ({population:,} residents) needs {needed} {facility_type} at "
    "{per:,} residents each; {available} would remain."
)
CAPACITY_FAILS = _(
    "Kecamatan {kecamatan} ({population:,} residents) needs {needed} {facility_type} at "
    "{per:,} residents each; only {available} would remain."
)
CAPACITY_BY_UNITS_OK = _(
    "Kecamatan {kecamatan} ({population:,} residents): the {available} {facility_type} that "
    "would remain serve {supported:,} residents ({by_capacity} counted by their stated capacity "
    "at {rpu:,g} residents per unit ({unit}), {by_norm} by the norm of {per:,} each)."
)
CAPACITY_BY_UNITS_FAILS = _(
    "Kecamatan {kecamatan} ({population:,} residents): the {available} {facility_type} that "
    "would remain serve only {supported:,} residents ({by_capacity} counted by their stated "
    "capacity at {rpu:,g} residents per unit ({unit}), {by_norm} by the norm of {per:,} each)."
)
# The capacity check's extra figures when some facility's capacity is known.
CAPACITY_UNIT_FIGURES = (
    "capacity_unit",
    "residents_per_capacity_unit",
    "counted_by_capacity",
    "counted_by_norm",
    "supported_residents",
)
CAPACITY_NO_KECAMATAN = _("The asset lies outside the kecamatan of Depok; capacity is unknown.")


@dataclass(frozen=True)
class Standard:
    facility_type: str
    radius_m: float
    residents_per_facility: int
    source: str = ""
    # Capacity where known: one unit of stated capacity ("students", "beds") serves this many
    # residents; None: the type counts by `residents_per_facility` alone.
    capacity_unit: str = ""
    residents_per_capacity_unit: float | None = None


@dataclass(frozen=True)
class Subject:
    """The asset being assessed; `x`, `y` its point in EPSG:32748 metres."""

    id: int
    use: str
    facility_type: str
    status: str
    condition: str
    land_area_m2: float | None
    x: float
    y: float
    kecamatan: str | None
    # What the texts show a reader for the codes above (the loader fills them in the active
    # language; empty means the code itself).
    labels: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def label(self, name: str) -> str:
        return self.labels.get(name) or str(getattr(self, name) or "")


@dataclass(frozen=True)
class Facilities:
    """The serving facilities of one type (status in service or underused), as arrays.

    May include the subject itself: `assess` always leaves it out.
    """

    ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    kecamatan: np.ndarray
    # Stated capacity in the standard's unit (NaN where unknown); None: nobody states one.
    capacity: np.ndarray | None = None
    # Built on first use and kept: a bulk assessment asks the same arrays thousands of times.
    _grids: dict = field(default_factory=dict, compare=False, repr=False)
    _per_kecamatan: dict = field(default_factory=dict, compare=False, repr=False)

    def near(self, px: float, py: float, reach: float) -> np.ndarray:
        """Indices (ascending) of the facilities that may lie within `reach` of (px, py)."""
        return grid_for(self._grids, self.x, self.y, reach).candidates(px, py, reach)

    def _left_in(self, kecamatan: str | None, leaving: int) -> tuple[int, int, float]:
        """(entries, entries with a stated capacity, their capacity summed) in `kecamatan`,
        leaving out those of the facility `leaving`; the table is built once."""
        table = self._per_kecamatan
        if not table:
            capacity = (
                self.capacity.tolist() if self.capacity is not None else [math.nan] * len(self.ids)
            )
            for fid, code, cap in zip(
                self.ids.tolist(), self.kecamatan.tolist(), capacity, strict=True
            ):
                for key in (code, (fid, code)):
                    entry = table.setdefault(key, [0, 0, 0.0])
                    entry[0] += 1
                    if not math.isnan(cap):
                        entry[1] += 1
                        entry[2] += cap
            table.setdefault(None, [0, 0, 0.0])  # built, even when there is nothing
        total = table.get(kecamatan, (0, 0, 0.0))
        own = table.get((leaving, kecamatan), (0, 0, 0.0))
        return total[0] - own[0], total[1] - own[1], total[2] - own[2]

    def count_in(self, kecamatan: str | None, *, leaving: int) -> int:
        """How many entries lie in `kecamatan`, leaving out those of the facility `leaving`."""
        return self._left_in(kecamatan, leaving)[0]

    def supported_in(
        self, kecamatan: str | None, *, leaving: int, per_unit: float, per_facility: float
    ) -> tuple[float, int, int]:
        """(residents served, counted by capacity, counted by norm) of the entries in
        `kecamatan` other than the facility `leaving`: capacity x `per_unit` where stated,
        `per_facility` otherwise."""
        count, known, capacity = self._left_in(kecamatan, leaving)
        return capacity * per_unit + (count - known) * per_facility, known, count - known

    @classmethod
    def empty(cls) -> Facilities:
        return cls(np.empty(0, dtype=np.int64), np.empty(0), np.empty(0), np.empty(0, dtype=object))

    @classmethod
    def from_rows(cls, rows: Sequence[tuple]) -> Facilities:
        """From (id, x, y, kecamatan) rows, or (id, x, y, kecamatan, capacity or None)."""
        if not rows:
            return cls.empty()
        columns = list(zip(*rows, strict=True))
        ids, x, y, kecamatan = columns[:4]
        capacity = None
        if len(columns) > 4 and any(c is not None for c in columns[4]):
            capacity = np.array([np.nan if c is None else c for c in columns[4]], dtype=float)
        return cls(
            np.asarray(ids, dtype=np.int64),
            np.asarray(x, dtype=float),
            np.asarray(y, dtype=float),
            np.asarray(kecamatan, dtype=object),
            capacity,
        )


@dataclass(frozen=True)
class Settings:
    min_land_area_m2: float = 100.0
    uncovered_threshold: float = 0.0


def _text(message) -> str:
    """A message in the active language; translations are looked up once per language, since
    a bulk re-assessment formats thousands of them."""
    if isinstance(message, str):
        return message
    key = (id(message), translation.get_language())
    text = _TEXTS.get(key)
    if text is None:
        text = _TEXTS[key] = str(message)
    return text


_TEXTS: dict[tuple[int, str | None], str] = {}


def _check(rule: str, passed: bool, detail, **figures) -> dict:
    return {"rule": rule, "passed": bool(passed), "detail": _text(detail), **figures}


def _not_applicable(rule: str) -> dict:
    return _check(rule, True, NOT_APPLICABLE)


def status_passes(subject: Subject) -> bool:
    return subject.status in ELIGIBLE_STATUSES


def condition_passes(subject: Subject) -> bool:
    return subject.condition != "major_damage"


def land_area_passes(subject: Subject, minimum: float) -> bool:
    return subject.land_area_m2 is not None and subject.land_area_m2 >= minimum


def capacity_passes(figures: dict) -> bool:
    """Residents served by the remaining facilities (by stated capacity where known) against
    the kecamatan's population; with no capacity known, facilities left against those needed."""
    if "supported_residents" in figures:
        return figures["supported_residents"] >= figures["kecamatan_population"]
    return figures["available_after"] >= figures["needed"]


def check_status(subject: Subject) -> dict:
    passed = status_passes(subject)
    message = STATUS_OK if passed else STATUS_FAILS
    return _check(
        "status",
        passed,
        _text(message).format(status=subject.label("status")),
        status=subject.status,
    )


def check_condition(subject: Subject) -> dict:
    passed = condition_passes(subject)
    detail = (
        _text(CONDITION_OK).format(condition=subject.label("condition"))
        if passed
        else CONDITION_FAILS
    )
    return _check("condition", passed, detail, condition=subject.condition)


def check_land_area(subject: Subject, minimum: float) -> dict:
    area = subject.land_area_m2
    if area is None:
        return _check(
            "land_area",
            False,
            _text(LAND_AREA_UNKNOWN).format(minimum=minimum),
            land_area_m2=None,
            minimum_m2=minimum,
        )
    passed = land_area_passes(subject, minimum)
    message = LAND_AREA_OK if passed else LAND_AREA_FAILS
    return _check(
        "land_area",
        passed,
        _text(message).format(area=area, minimum=minimum),
        land_area_m2=area,
        minimum_m2=minimum,
    )


def applies(subject: Subject) -> bool:
    """Coverage and capacity apply to education and health assets with a facility type."""
    return subject.use in FACILITY_USES and bool(subject.facility_type)


def coverage_figures(
    subject: Subject,
    *,
    demand: Demand,
    facilities: Facilities,
    standard: Standard,
) -> dict:
    """Who loses their facility if the subject leaves: the coverage figures, unrounded inside.

    Cells within the radius of the subject form its catchment; a catchment cell stays covered
    if another serving facility reaches it within the radius. Only facilities within twice the
    radius can reach a catchment cell, so only those are compared cell by cell.
    """
    radius = float(standard.radius_m)
    # Only facilities within twice the radius can reach a catchment cell: the grids hand over
    # those candidates (in index order, so every sum below matches the full-array version).
    nearby = facilities.near(subject.x, subject.y, 2 * radius)
    nearby = nearby[facilities.ids[nearby] != subject.id]
    fx, fy, fids = facilities.x[nearby], facilities.y[nearby], facilities.ids[nearby]
    facility_distance = distances(fx, fy, subject.x, subject.y)

    cells = demand.candidates(subject.x, subject.y, radius)
    dx, dy = demand.x[cells] - subject.x, demand.y[cells] - subject.y
    in_catchment = cells[dx * dx + dy * dy <= radius * radius]
    cx, cy = demand.x[in_catchment], demand.y[in_catchment]
    population = demand.population[in_catchment]

    near = np.flatnonzero(facility_distance <= 2 * radius)
    near_ids, near_distance = fids[near], facility_distance[near]
    order = np.lexsort((near_ids, near_distance))
    # The listed alternatives (the nearest) get their full reach; the farther ones are only
    # asked about the cells the listed ones leave open, which in a dense register are few.
    shown, rest = near[order[:MAX_ALTERNATIVES]], near[order[MAX_ALTERNATIVES:]]
    reach = reach_matrix(cx, cy, fx[shown], fy[shown], radius)  # catchment cells x listed
    still_covered = reach.any(axis=1)
    covers = population @ reach if reach.size else np.zeros(len(shown))
    if len(rest) and not still_covered.all():
        still_covered[~still_covered] = covered(
            cx[~still_covered], cy[~still_covered], fx[rest], fy[rest], radius
        )
    alternatives = [
        {
            # A reference facility's id is its primary key negated (assets_app.repurposing).
            **({"asset": int(fids[i])} if fids[i] > 0 else {"facility": -int(fids[i])}),
            "distance_m": round(float(facility_distance[i]), 1),
            "covers_population": round(float(covers[k])),
        }
        for k, i in enumerate(shown)
    ]
    return {
        "facility_type": standard.facility_type,
        "radius_m": radius,
        "covered_population": round(float(population.sum())),
        "newly_uncovered_population": round(float(population[~still_covered].sum())),
        "nearest_alternative_m": _nearest(subject, facilities, near_distance),
        "alternatives_count": len(near),
        "alternatives": alternatives,
        "catchment_cells": len(in_catchment),
        "method": _text(COVERAGE_METHOD),
    }


def _nearest(subject: Subject, facilities: Facilities, near_distance: np.ndarray) -> float | None:
    """The distance to the nearest other facility: among the nearby ones when there are any (the
    nearest of all is among them), else over all of them."""
    if len(near_distance):
        return round(float(near_distance.min()), 1)
    others = facilities.ids != subject.id
    if not others.any():
        return None
    return round(
        float(distances(facilities.x[others], facilities.y[others], subject.x, subject.y).min()), 1
    )


def capacity_figures(
    subject: Subject, *, demand: Demand, facilities: Facilities, standard: Standard
) -> dict:
    """Serving facilities of the type left in the subject's kecamatan against those needed."""
    population = demand.population_by("kecamatan").get(subject.kecamatan, 0.0)
    figures = {
        "kecamatan": subject.kecamatan,
        "kecamatan_population": round(population),
        "residents_per_facility": int(standard.residents_per_facility),
        "needed": math.ceil(round(population, 6) / standard.residents_per_facility),
        "available_after": facilities.count_in(subject.kecamatan, leaving=subject.id),
    }
    per_unit = standard.residents_per_capacity_unit
    if per_unit and facilities.capacity is not None:
        supported, by_capacity, by_norm = facilities.supported_in(
            subject.kecamatan,
            leaving=subject.id,
            per_unit=float(per_unit),
            per_facility=float(standard.residents_per_facility),
        )
        # Only when some remaining facility states a capacity: otherwise exactly as before.
        if by_capacity:
            figures.update(
                capacity_unit=standard.capacity_unit,
                residents_per_capacity_unit=float(per_unit),
                counted_by_capacity=by_capacity,
                counted_by_norm=by_norm,
                supported_residents=round(supported),
            )
    return figures


def assess(
    subject: Subject,
    *,
    demand: Demand,
    facilities: Facilities,
    standard: Standard | None,
    settings: Settings,
) -> dict:
    """`{"repurposable", "checks", "coverage"}` for one asset.

    `facilities` are the serving facilities of the subject's facility type (ignored for other
    assets); `coverage` is None when coverage and capacity do not apply, else the figures of
    both checks together.
    """
    checks = [
        check_status(subject),
        check_condition(subject),
        check_land_area(subject, settings.min_land_area_m2),
    ]
    figures = None
    if not applies(subject):
        checks += [_not_applicable("coverage"), _not_applicable("capacity")]
    elif standard is None:
        detail = _text(NO_STANDARD).format(facility_type=subject.label("facility_type"))
        checks += [_check("coverage", False, detail), _check("capacity", False, detail)]
    else:
        cover = coverage_figures(subject, demand=demand, facilities=facilities, standard=standard)
        passed = cover["newly_uncovered_population"] <= settings.uncovered_threshold
        message = COVERAGE_OK if passed else COVERAGE_FAILS
        detail = _text(message).format(
            covered=cover["covered_population"],
            uncovered=cover["newly_uncovered_population"],
            radius=cover["radius_m"],
            facility_type=subject.label("facility_type"),
            threshold=round(settings.uncovered_threshold),
        )
        checks.append(
            _check(
                "coverage",
                passed,
                detail,
                newly_uncovered_population=cover["newly_uncovered_population"],
                covered_population=cover["covered_population"],
                nearest_alternative_m=cover["nearest_alternative_m"],
                radius_m=cover["radius_m"],
                threshold=settings.uncovered_threshold,
            )
        )
        if subject.kecamatan is None:
            capacity = None
            checks.append(_check("capacity", False, CAPACITY_NO_KECAMATAN))
        else:
            capacity = capacity_figures(
                subject, demand=demand, facilities=facilities, standard=standard
            )
            passed = capacity_passes(capacity)
            by_units = "supported_residents" in capacity
            if by_units:
                message = CAPACITY_BY_UNITS_OK if passed else CAPACITY_BY_UNITS_FAILS
            else:
                message = CAPACITY_OK if passed else CAPACITY_FAILS
            detail = _text(message).format(
                kecamatan=subject.label("kecamatan"),
                population=capacity["kecamatan_population"],
                needed=capacity["needed"],
                facility_type=subject.label("facility_type"),
                per=capacity["residents_per_facility"],
                available=capacity["available_after"],
                **(
                    {
                        "supported": capacity["supported_residents"],
                        "by_capacity": capacity["counted_by_capacity"],
                        "by_norm": capacity["counted_by_norm"],
                        "rpu": capacity["residents_per_capacity_unit"],
                        "unit": capacity["capacity_unit"],
                    }
                    if by_units
                    else {}
                ),
            )
            checks.append(
                _check(
                    "capacity",
                    passed,
                    detail,
                    needed=capacity["needed"],
                    available_after=capacity["available_after"],
                    kecamatan=subject.kecamatan,
                    kecamatan_population=capacity["kecamatan_population"],
                    **{key: capacity[key] for key in CAPACITY_UNIT_FIGURES if key in capacity},
                )
            )
        figures = {
            **cover,
            "residents_per_facility": int(standard.residents_per_facility),
            "standard_source": standard.source,
            **(capacity or {}),
        }
    return {
        "repurposable": all(check["passed"] for check in checks),
        "checks": checks,
        "coverage": figures,
    }
