"""What-if for a set of facilities: what happens if these assets were repurposed together.

Nearby schools interact: each of two neighbouring schools may be repurposable alone (the other
covers its catchment) while the pair is not. `repurposing_scenario` validates the set, loads the
inputs once with `assets_app.repurposing.load_inputs`, and `scenario_figures` (no ORM) computes:

- each asset's verdict alone (today's assessment) and together (assessed against the serving
  facilities of its type without the other assets of the set; `assess` leaves the asset out);
- per kelurahan and facility type: population, covered population before (every serving
  facility of the type) and after (without the set), serving facilities counted in the
  kelurahan before and after against ceil(population / residents per facility); only the
  kelurahan where something changes are listed;
- city-wide per type: covered before and after, the people outside every service radius after,
  and how many of them newly so.

Figures are people rounded to whole numbers so that they add up: the people who lose cover are
rounded once, `covered_after` is `covered_before` minus them, and `uncovered_after` (or
`outside_every_radius_after`) is the population minus `covered_after`. Nothing is
stored: a what-if writes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

import numpy as np

from assets_app.assessment import FACILITY_USES, Facilities, Subject, assess
from assets_app.models import Asset
from assets_app.repurposing import Inputs, load_inputs, subjects_of
from geodata.boundaries import locate_points
from geodata.models import District, PopulationSource
from geodata.spatial import utm_to_lonlat_array

MAX_ASSETS = 100

ASSETS_EMPTY = _("Give at least one asset.")
ASSETS_TOO_MANY = _("Give at most {max_length} assets.")
ASSETS_DUPLICATE = _("Each asset may be listed once; repeated: {ids}.")
ASSETS_UNKNOWN = _("No such asset: {ids}.")
ASSETS_NOT_FACILITY = _("Not an education or health asset with a facility type: {ids}.")


def _ids_text(ids: Sequence[int]) -> str:
    return ", ".join(str(i) for i in sorted(ids))


def _invalid(message) -> ValidationError:
    return ValidationError({"assets": [str(message)]})


def check_asset_ids(asset_ids: Sequence[int]) -> list[int]:
    """The ids in ascending order; a ValidationError naming `assets` for an empty list, more
    than MAX_ASSETS, or repeats (the checks that need no database)."""
    ids = list(asset_ids)
    if not ids:
        raise _invalid(ASSETS_EMPTY)
    if len(ids) > MAX_ASSETS:
        raise _invalid(str(ASSETS_TOO_MANY).format(max_length=MAX_ASSETS))
    repeated = {i for i in ids if ids.count(i) > 1}
    if repeated:
        raise _invalid(str(ASSETS_DUPLICATE).format(ids=_ids_text(repeated)))
    return sorted(ids)


# --- the computation (no ORM) ----------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A kelurahan's name and its kecamatan (code and name)."""

    name: str
    kecamatan: str
    kecamatan_name: str


def facility_kelurahan(facilities: Facilities) -> np.ndarray:
    """The kelurahan code of each facility (None outside Depok), by the point-in-polygon rule
    assets are located by; facilities of any source carry only their point."""
    if len(facilities.ids) == 0:
        return np.empty(0, dtype=object)
    lonlat = utm_to_lonlat_array(np.column_stack([facilities.x, facilities.y]))
    codes, _kecamatan = locate_points(lonlat)
    return np.asarray(codes, dtype=object)


def _without(facilities: Facilities, ids: set[int]) -> tuple[Facilities, np.ndarray]:
    """The facilities minus `ids`, and the mask of those kept (a new object: the caches of
    `facilities` describe all of them)."""
    keep = ~np.isin(facilities.ids, np.fromiter(ids, dtype=np.int64, count=len(ids)))
    capacity = facilities.capacity
    kept = Facilities(
        facilities.ids[keep],
        facilities.x[keep],
        facilities.y[keep],
        facilities.kecamatan[keep],
        # Stated capacities (students, beds) travel with their facilities.
        None if capacity is None else capacity[keep],
    )
    return kept, keep


def _verdict(result: dict) -> dict:
    cover = result["coverage"]
    return {
        "repurposable": result["repurposable"],
        "newly_uncovered_population": (
            None if cover is None else cover["newly_uncovered_population"]
        ),
    }


class Cells:
    """The demand cells with their kelurahan as indices."""

    def __init__(self, inputs: Inputs):
        demand = inputs.surface.demand
        self.demand, self.population = demand, demand.population
        self.codes, self.index = np.unique(demand.kelurahan.astype(str), return_inverse=True)
        by_kelurahan = demand.population_by("kelurahan")
        self.people = np.array([by_kelurahan.get(str(c), 0.0) for c in self.codes.tolist()])

    def per_kelurahan(self, mask: np.ndarray) -> np.ndarray:
        weights = self.population * mask
        return np.bincount(self.index, weights=weights, minlength=len(self.codes))


def _type_figures(
    facility_type: str,
    *,
    inputs: Inputs,
    cells: Cells,
    before: Facilities,
    keep: np.ndarray,
    places: dict[str, Place],
) -> tuple[list[dict], dict | None]:
    """(kelurahan rows where something changes, city-wide totals) for one facility type."""
    standard = inputs.standards.get(facility_type)
    if standard is None:
        return [], None
    radius = float(standard.radius_m)
    population = cells.population
    reach = cells.demand.reach_counts(before.x, before.y, radius)
    covered_before = reach > 0
    removed = ~keep
    # A cell stays covered if a facility other than the removed ones still reaches it.
    gone = cells.demand.reach_counts(before.x[removed], before.y[removed], radius)
    covered_after = (reach - gone) > 0
    lost = covered_before & ~covered_after

    codes, size = cells.codes, len(cells.codes)
    people = cells.people
    people_before = cells.per_kelurahan(covered_before)
    people_lost = cells.per_kelurahan(lost)

    located = facility_kelurahan(before)
    position = {code: i for i, code in enumerate(codes.tolist())}
    count_before = np.zeros(size, dtype=np.int64)
    count_after = np.zeros(size, dtype=np.int64)
    for code, kept in zip(located.tolist(), keep.tolist(), strict=True):
        i = position.get(code)
        if i is None:
            continue
        count_before[i] += 1
        count_after[i] += int(kept)

    rows = []
    for i in np.flatnonzero((people_lost > 0) | (count_before != count_after)).tolist():
        code = str(codes[i])
        place = places.get(code, Place(name=code, kecamatan="", kecamatan_name=""))
        total, before_here = round(float(people[i])), round(float(people_before[i]))
        after = before_here - round(float(people_lost[i]))
        rows.append(
            {
                "code": code,
                "name": place.name,
                "kecamatan": place.kecamatan,
                "kecamatan_name": place.kecamatan_name,
                "facility_type": facility_type,
                "population": total,
                "covered_before": before_here,
                "covered_after": after,
                "uncovered_after": total - after,
                "facilities_before": int(count_before[i]),
                "facilities_after": int(count_after[i]),
                "needed": math.ceil(round(float(people[i]), 6) / standard.residents_per_facility),
            }
        )
    total = round(float(population.sum()))
    before_total = round(float(population[covered_before].sum()))
    after_total = before_total - round(float(population[lost].sum()))
    totals = {
        "facility_type": facility_type,
        "population": total,
        "covered_before": before_total,
        "covered_after": after_total,
        "outside_every_radius_after": total - after_total,
        "newly_outside": before_total - after_total,
    }
    return rows, totals


def scenario_figures(
    subjects: Sequence[Subject],
    *,
    inputs: Inputs,
    names: dict[int, str],
    places: dict[str, Place],
) -> dict:
    """Verdicts alone and together, kelurahan rows and city-wide totals for the set `subjects`."""
    set_ids = {s.id for s in subjects}
    types = sorted({s.facility_type for s in subjects})
    after: dict[str, Facilities] = {}
    cells = Cells(inputs)
    kelurahan: list[dict] = []
    totals: list[dict] = []
    for facility_type in types:
        before = inputs.facilities(facility_type)
        after[facility_type], keep = _without(before, set_ids)
        rows, total = _type_figures(
            facility_type, inputs=inputs, cells=cells, before=before, keep=keep, places=places
        )
        kelurahan += rows
        if total is not None:
            totals.append(total)
    verdicts = []
    for subject in subjects:
        common = {
            "demand": inputs.surface.demand,
            "standard": inputs.standards.get(subject.facility_type),
            "settings": inputs.settings,
        }
        alone = assess(subject, facilities=inputs.facilities(subject.facility_type), **common)
        # Without the set, `assess` leaving the subject out: the set minus the other assets.
        together = assess(subject, facilities=after[subject.facility_type], **common)
        verdicts.append(
            {
                "asset": subject.id,
                "name": names.get(subject.id, ""),
                "facility_type": subject.facility_type,
                "alone": _verdict(alone),
                "together": {**_verdict(together), "checks": together["checks"]},
            }
        )
    return {
        "repurposable_together": all(v["together"]["repurposable"] for v in verdicts),
        "verdicts": verdicts,
        "kelurahan": kelurahan,
        "totals": totals,
    }


# --- the selector ----------------------------------------------------------------------------


def _places() -> dict[str, Place]:
    rows = list(District.objects.values_list("code", "name", "level", "parent_id"))
    kecamatan = {code: name for code, name, level, _parent in rows if level == "kecamatan"}
    return {
        code: Place(name=name, kecamatan=parent or "", kecamatan_name=kecamatan.get(parent, ""))
        for code, name, level, parent in rows
        if level == "kelurahan"
    }


def _population_source(inputs: Inputs) -> dict:
    record = PopulationSource.objects.filter(pk=inputs.surface.source_id).first()
    return {
        "label": inputs.surface.label,
        "year": record.year if record else None,
        "source": record.source if record else "",
    }


def repurposing_scenario(*, asset_ids: Sequence[int], queryset: QuerySet | None = None) -> dict:
    """The what-if of repurposing the assets `asset_ids` (of `queryset`, the assets the caller
    may see) together. A ValidationError naming `assets` for a bad set; stores nothing."""
    ids = check_asset_ids(asset_ids)
    visible = (Asset.objects.all() if queryset is None else queryset).filter(pk__in=ids)
    rows = {
        pk: (name, use, facility_type)
        for pk, name, use, facility_type in visible.values_list(
            "pk", "name", "use", "facility_type"
        )
    }
    unknown = [i for i in ids if i not in rows]
    if unknown:
        raise _invalid(str(ASSETS_UNKNOWN).format(ids=_ids_text(unknown)))
    not_facility = [i for i in ids if rows[i][1] not in FACILITY_USES or not rows[i][2]]
    if not_facility:
        raise _invalid(str(ASSETS_NOT_FACILITY).format(ids=_ids_text(not_facility)))
    subjects = subjects_of(visible)
    inputs = load_inputs(s.facility_type for s in subjects)
    figures = scenario_figures(
        subjects,
        inputs=inputs,
        names={pk: row[0] for pk, row in rows.items()},
        places=_places(),
    )
    return {"assets": ids, "population_source": _population_source(inputs), **figures}
