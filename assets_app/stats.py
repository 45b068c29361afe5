"""Statistics per district for planners: assets, land, repurposing candidates and facility supply.

A handful of aggregate queries (grouped by district in SQL) plus the coverage of the population
cells by each facility type, computed vectorised once for the whole city; never a query per
district. Facility supply uses the same rules as the assessment: serving facilities (in service
or underused), the service standard's radius and residents per facility.
"""

from __future__ import annotations

import hashlib
import math

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


def _facility_points(field: str) -> dict[str, tuple[np.ndarray, np.ndarray, list]]:
    rows = list(
        Asset.objects.filter(use__in=FACILITY_USES, status__in=SERVING_STATUSES)
        .exclude(facility_type="")
        .values_list("facility_type", "lon", "lat", field)
    )
    result: dict[str, tuple[np.ndarray, np.ndarray, list]] = {}
    for facility_type in FacilityType.values:
        chosen = [r for r in rows if r[0] == facility_type]
        x, y = lonlat_to_xy(
            np.array([r[1] for r in chosen], dtype=float),
            np.array([r[2] for r in chosen], dtype=float),
        )
        result[facility_type] = (x, y, [r[3] for r in chosen])
    return result


# The coverage of the population cells depends only on the cells, the facilities' points and
# the radius; it is kept in the cache under a digest of exactly those, so any change to them
# (a facility added, moved, closed, a new surface, a new radius) is a new key, and an unchanged
# register reuses it across requests and processes. The time limit only bounds stale entries.
COVERAGE_CACHE_SECONDS = 24 * 3600


def _covered_cells(surface, x: np.ndarray, y: np.ndarray, radius_m: float) -> np.ndarray:
    """`geodata.coverage.covered` for the surface's cells, from the cache when the inputs match."""
    demand = surface.demand
    order = np.lexsort((y, x))  # the facilities' order does not change what they cover
    digest = hashlib.blake2b(digest_size=16)
    for part in (demand.x, demand.y, x[order], y[order]):
        digest.update(np.ascontiguousarray(part, dtype=np.float64).tobytes())
    key = (
        f"stats:covered:{surface.source_id}:{len(demand)}:{len(x)}:{float(radius_m)!r}:"
        f"{digest.hexdigest()}"
    )
    packed = cache.get(key)
    if packed is not None:
        return np.unpackbits(np.frombuffer(packed, dtype=np.uint8), count=len(demand)).astype(bool)
    reached = covered(demand.x, demand.y, x, y, radius_m)
    cache.set(key, np.packbits(reached).tobytes(), COVERAGE_CACHE_SECONDS)
    return reached


def district_stats(*, level: str, with_geometry: bool = False) -> dict:
    """`{"level", "population_source", "results": [one dict per district]}`.

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

    by_use = {code: dict.fromkeys(Use.values, 0) for code in codes}
    for row in (
        Asset.objects.filter(**{f"{field}__isnull": False})
        .values(field, "use")
        .annotate(n=Count("id"))
    ):
        by_use[row[field]][row["use"]] = row["n"]
    by_status = {code: dict.fromkeys(Status.values, 0) for code in codes}
    for row in (
        Asset.objects.filter(**{f"{field}__isnull": False})
        .values(field, "status")
        .annotate(n=Count("id"))
    ):
        by_status[row[field]][row["status"]] = row["n"]
    totals = {
        row[field]: row
        for row in Asset.objects.filter(**{f"{field}__isnull": False})
        .values(field)
        .annotate(
            total=Count("id"),
            land=Sum("land_area_m2", filter=~Q(status=Status.DISPOSED)),
            rep_count=Count("id", filter=Q(repurposable=True)),
            rep_land=Sum("land_area_m2", filter=Q(repurposable=True)),
        )
    }

    surface = population_surface()
    demand = surface.demand
    cell_codes = demand.kecamatan if level == DistrictLevel.KECAMATAN else demand.kelurahan
    cell_index = np.array([index.get(code, -1) for code in cell_codes], dtype=np.int64)
    inside = cell_index >= 0
    population = np.bincount(
        cell_index[inside], weights=demand.population[inside], minlength=len(codes)
    )

    standards = service_standards()
    points = _facility_points(field)
    facilities: dict[str, dict] = {code: {} for code in codes}
    for facility_type in FacilityType.values:
        x, y, where = points[facility_type]
        count = np.zeros(len(codes), dtype=np.int64)
        for code in where:
            if code in index:
                count[index[code]] += 1
        standard = standards.get(facility_type)
        if standard is not None:
            reached = _covered_cells(surface, x, y, standard.radius_m) & inside
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
    return {"level": level, "population_source": surface.label, "results": results}
