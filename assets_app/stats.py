"""Statistics per district for planners: assets, land, repurposing candidates and facility supply.

A handful of aggregate queries (grouped by district in SQL) plus the coverage of the population
cells by each facility type, computed vectorised once for the whole city; never a query per
district. Facility supply uses the same rules as the assessment: serving facilities (in service
or underused), the service standard's radius and residents per facility.
"""

from __future__ import annotations

import hashlib
import math
import threading

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

import numpy as np

from assets_app.assessment import FACILITY_USES, SERVING_STATUSES
from assets_app.models import Asset, FacilityType, Status, Use
from geodata.coverage import covered
from geodata.models import District, DistrictLevel
from geodata.population import lonlat_to_xy
from geodata.selectors import population_surface, service_standards

LEVELS = (DistrictLevel.KECAMATAN, DistrictLevel.KELURAHAN)
LEVEL_INVALID = _("Use kecamatan or kelurahan.")


# Choice values as tuples once: `Choices.values` builds a new list on every access.
USES = tuple(Use.values)
STATUSES = tuple(Status.values)
FACILITY_TYPES = tuple(FacilityType.values)


def _facility_points(field: str) -> dict[str, tuple[np.ndarray, np.ndarray, list]]:
    """Serving facilities by type: projected x, y and the district code at `field`."""
    rows = list(
        Asset.objects.filter(use__in=FACILITY_USES, status__in=SERVING_STATUSES)
        .exclude(facility_type="")
        .values_list("facility_type", "lon", "lat", field)
    )
    # One projection for all of them, then split by type.
    x, y = lonlat_to_xy(
        np.array([r[1] for r in rows], dtype=float), np.array([r[2] for r in rows], dtype=float)
    )
    positions: dict[str, list[int]] = {facility_type: [] for facility_type in FACILITY_TYPES}
    for i, row in enumerate(rows):
        if row[0] in positions:
            positions[row[0]].append(i)
    return {
        facility_type: (x[chosen], y[chosen], [rows[i][3] for i in chosen])
        for facility_type, chosen in positions.items()
    }


# The coverage of the population cells depends only on the cells, the facilities' points and
# the radius; it is kept in the cache under a digest of exactly those, so any change to them
# (a facility added, moved, closed, a new surface, a new radius) is a new key, and an unchanged
# register reuses it across requests and processes. The time limit only bounds stale entries.
COVERAGE_CACHE_SECONDS = 24 * 3600


def _digest(*arrays: np.ndarray) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in arrays:
        digest.update(np.ascontiguousarray(part, dtype=np.float64).tobytes())
    return digest.hexdigest()


# What the statistics derive from the population surface alone (the cells' digest, their
# district index per level), kept for as long as geodata serves the same surface object (it is
# immutable and replaced whole when the surface changes).
_derived: dict = {}
_derived_lock = threading.Lock()


def _from_surface(surface, key, compute):
    with _derived_lock:
        if _derived.get("surface") is not surface:
            _derived.clear()
            _derived["surface"] = surface
        if key in _derived:
            return _derived[key]
    value = compute()
    with _derived_lock:
        if _derived.get("surface") is surface:
            _derived[key] = value
    return value


def _covered_by_type(
    surface, points: dict[str, tuple[np.ndarray, np.ndarray, list]], standards: dict
) -> dict[str, np.ndarray]:
    """`geodata.coverage.covered` of the surface's cells for each facility type that has a
    standard, from the cache (one round trip for all types) when the inputs match."""
    demand = surface.demand
    cells = _from_surface(surface, "digest", lambda: _digest(demand.x, demand.y))
    keys = {}
    for facility_type, (x, y, _codes) in points.items():
        standard = standards.get(facility_type)
        if standard is None:
            continue
        order = np.lexsort((y, x))  # the facilities' order does not change what they cover
        keys[facility_type] = (
            f"stats:covered:{surface.source_id}:{len(demand)}:{cells}:{len(x)}:"
            f"{float(standard.radius_m)!r}:{_digest(x[order], y[order])}"
        )
    found = cache.get_many(list(keys.values()))
    reached: dict[str, np.ndarray] = {}
    computed = {}
    for facility_type, key in keys.items():
        packed = found.get(key)
        if packed is not None:
            reached[facility_type] = np.unpackbits(
                np.frombuffer(packed, dtype=np.uint8), count=len(demand)
            ).astype(bool)
            continue
        x, y, _codes = points[facility_type]
        reached[facility_type] = covered(
            demand.x, demand.y, x, y, standards[facility_type].radius_m
        )
        computed[key] = np.packbits(reached[facility_type]).tobytes()
    if computed:
        cache.set_many(computed, COVERAGE_CACHE_SECONDS)
    return reached


def _cells_by_district(surface, level: str, codes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(index into `codes` of each cell's district, -1 outside them; population per district)."""

    def compute():
        demand = surface.demand
        index = {code: i for i, code in enumerate(codes)}
        cell_codes = demand.kecamatan if level == DistrictLevel.KECAMATAN else demand.kelurahan
        cell_index = np.array([index.get(code, -1) for code in cell_codes], dtype=np.int64)
        inside = cell_index >= 0
        population = np.bincount(
            cell_index[inside], weights=demand.population[inside], minlength=len(codes)
        )
        cell_index.flags.writeable = population.flags.writeable = False  # shared by requests
        return cell_index, population

    return _from_surface(surface, ("cells", level, tuple(codes)), compute)


def district_stats(*, level: str, with_geometry: bool = False) -> dict:
    """`{"level", "population_source", "population_year", "results": [one dict per district]}`.

    Per district: `population` (the population cells' total), asset counts by use and by status,
    `land_area_m2` (assets not disposed), repurposable count and land area, and per facility
    type: serving `count`, `needed` (ceil(population / residents per facility)) and
    `covered_share` (share of the population whose cell centroid a serving facility of the type
    reaches within its radius, wherever that facility stands).
    """
    field = f"{level}_id"
    districts = list(
        District.objects.filter(level=level)
        .order_by("code")
        .values("code", "name", "parent_id", "area_km2", *(["geometry"] if with_geometry else []))
    )
    codes = [d["code"] for d in districts]
    index = {code: i for i, code in enumerate(codes)}

    # The counts by use and by status from one grouped query; the land sums per district from
    # their own (summed in SQL per district, as floats add up differently in another order).
    by_use = {code: dict.fromkeys(USES, 0) for code in codes}
    by_status = {code: dict.fromkeys(STATUSES, 0) for code in codes}
    assets = Asset.objects.filter(**{f"{field}__isnull": False})
    for code, use, status, n in (
        assets.values_list(field, "use", "status").annotate(n=Count("id")).order_by()
    ):
        by_use[code][use] = by_use[code].get(use, 0) + n
        by_status[code][status] = by_status[code].get(status, 0) + n
    totals = {
        row[field]: row
        for row in assets.values(field)
        .annotate(
            total=Count("id"),
            land=Sum("land_area_m2", filter=~Q(status=Status.DISPOSED)),
            rep_count=Count("id", filter=Q(repurposable=True)),
            rep_land=Sum("land_area_m2", filter=Q(repurposable=True)),
        )
        .order_by()
    }

    surface = population_surface()
    demand = surface.demand
    cell_index, population = _cells_by_district(surface, level, codes)
    inside = cell_index >= 0

    standards = service_standards()
    points = _facility_points(field)
    reached_by_type = _covered_by_type(surface, points, standards)
    facilities: dict[str, dict] = {code: {} for code in codes}
    for facility_type in FACILITY_TYPES:
        x, y, where = points[facility_type]
        count = np.zeros(len(codes), dtype=np.int64)
        for code in where:
            if code in index:
                count[index[code]] += 1
        standard = standards.get(facility_type)
        if standard is not None:
            reached = reached_by_type[facility_type] & inside
            covered_population = np.bincount(
                cell_index[reached], weights=demand.population[reached], minlength=len(codes)
            )
        for i, code in enumerate(codes):
            if standard is None:
                facilities[code][facility_type] = {
                    "count": int(count[i]),
                    "needed": None,
                    "covered_share": None,
                    "radius_m": None,
                    "residents_per_facility": None,
                }
                continue
            pop = float(population[i])
            facilities[code][facility_type] = {
                "count": int(count[i]),
                "needed": math.ceil(round(pop, 6) / standard.residents_per_facility),
                "covered_share": round(float(covered_population[i]) / pop, 4) if pop > 0 else None,
                "radius_m": standard.radius_m,
                "residents_per_facility": standard.residents_per_facility,
            }

    results = []
    for i, district in enumerate(districts):
        code = district["code"]
        total = totals.get(code, {})
        item = {
            "code": code,
            "name": district["name"],
            "level": level,
            "parent_code": district["parent_id"],
            "area_km2": district["area_km2"],
            "population": round(float(population[i])),
            "assets": {
                "total": total.get("total", 0),
                "by_use": by_use[code],
                "by_status": by_status[code],
            },
            "land_area_m2": float(total.get("land") or 0.0),
            "repurposable": {
                "count": total.get("rep_count", 0),
                "land_area_m2": float(total.get("rep_land") or 0.0),
            },
            "facilities": facilities[code],
        }
        if with_geometry:
            item["geometry"] = district["geometry"]
        results.append(item)
    return {
        "level": level,
        "population_source": surface.label,
        "population_year": surface.year,
        "results": results,
    }
