"""Repurposing assessment: assess assets and keep their stored flag current.

The assessment itself is the pure `assets_app.assessment`; this module loads what it needs (the
asset, the serving facilities of its type, the population surface, the service standard),
calls it, and stores `repurposable`/`assessed_at` on the asset. The stored flag of every asset
whose answer a change can move is recomputed in the same transaction as the change
(`assets_reassess_around`): same-type facilities within twice the radius of the old and new
positions (coverage) and same-type facilities in the old and new kecamatan (capacity).

The four-eyes reclassification that acts on these answers is in
`assets_app.services.reclassification`.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

import numpy as np

from assets_app.assessment import (
    FACILITY_USES,
    SERVING_STATUSES,
    Facilities,
    Settings,
    Standard,
    Subject,
    assess,
)
from assets_app.models import Asset, Condition, FacilityType, Status
from assets_app.verdicts import verdicts
from facilities.models import CAPACITY_FIELDS, ReferenceFacility
from facilities.selectors import reference_names, reference_serving_rows
from geodata.coverage import distances
from geodata.models import District
from geodata.population import lonlat_to_xy
from geodata.selectors import Surface, population_surface, service_standards

logger = logging.getLogger(__name__)

SUBJECT_FIELDS = (
    "id",
    "use",
    "facility_type",
    "status",
    "condition",
    "land_area_m2",
    "lon",
    "lat",
    "kecamatan_id",
)


# --- loading ---------------------------------------------------------------------------------


def assessment_settings() -> Settings:
    return Settings(
        min_land_area_m2=float(django_settings.ASSET_MIN_OUTLET_AREA_M2),
        uncovered_threshold=float(django_settings.COVERAGE_UNCOVERED_THRESHOLD),
    )


def _standards() -> dict[str, Standard]:
    return {
        code: Standard(
            facility_type=code,
            radius_m=s.radius_m,
            residents_per_facility=s.residents_per_facility,
            source=s.source,
            capacity_unit=s.capacity_unit,
            residents_per_capacity_unit=s.residents_per_capacity_unit,
        )
        for code, s in service_standards().items()
    }


def _subjects(rows: Iterable[tuple]) -> list[Subject]:
    rows = list(rows)
    if not rows:
        return []
    lon = np.array([r[6] for r in rows], dtype=float)
    lat = np.array([r[7] for r in rows], dtype=float)
    x, y = lonlat_to_xy(lon, lat)
    names = _labels()
    return [
        Subject(
            id=r[0],
            use=r[1],
            facility_type=r[2],
            status=r[3],
            condition=r[4],
            land_area_m2=r[5],
            x=float(x[i]),
            y=float(y[i]),
            kecamatan=r[8],
            labels={
                "status": names["status"].get(r[3], ""),
                "condition": names["condition"].get(r[4], ""),
                "facility_type": names["facility_type"].get(r[2], ""),
                "kecamatan": names["kecamatan"].get(r[8], ""),
            },
        )
        for i, r in enumerate(rows)
    ]


def _labels() -> dict[str, dict[str, str]]:
    """What the assessment's texts call the codes, in the active language: readers see
    "Dalam layanan" and "Beji", not `in_service` and `3276010`."""
    return {
        "status": {value: str(label) for value, label in Status.choices},
        "condition": {value: str(label) for value, label in Condition.choices},
        "facility_type": {value: str(label) for value, label in FacilityType.choices},
        "kecamatan": dict(District.objects.filter(level="kecamatan").values_list("code", "name")),
    }


def _serving(facility_types: Iterable[str], extra: Iterable[tuple] = ()) -> dict[str, Facilities]:
    """The serving facilities of each type, projected to EPSG:32748.

    The city's own (serving assets of the type) and the providers' (operating reference
    facilities of the type not linked to an asset: a linked one is that asset, counted once).
    A reference facility's id is its primary key negated, so it never equals an asset's.
    `extra` rows (facility_type, id, lon, lat, kecamatan, None, None) stand for assets about to
    be written.
    """
    types = sorted({t for t in facility_types if t})
    if not types:
        return {}
    rows = list(
        Asset.objects.filter(
            facility_type__in=types, use__in=FACILITY_USES, status__in=SERVING_STATUSES
        )
        .order_by("id")
        .values_list(
            "facility_type",
            "id",
            "lon",
            "lat",
            "kecamatan_id",
            # a city asset that is a listed facility has the list's stated capacity
            "reference_facility__capacity_students",
            "reference_facility__capacity_beds",
        )
    )
    rows += [r for r in extra if r[0] in types]
    rows += [(r[0], -r[1], *r[2:]) for r in reference_serving_rows(types)]
    units = {code: s.capacity_unit for code, s in service_standards().items()}
    result = {t: Facilities.empty() for t in types}
    if not rows:
        return result
    x, y = lonlat_to_xy(
        np.array([r[2] for r in rows], dtype=float), np.array([r[3] for r in rows], dtype=float)
    )
    grouped: dict[str, list] = {t: [] for t in types}
    for i, r in enumerate(rows):
        capacity = {"students": r[5], "beds": r[6]}.get(units.get(r[0], ""))
        grouped[r[0]].append((r[1], x[i], y[i], r[4], capacity))
    return {t: Facilities.from_rows(grouped[t]) for t in types}


@dataclass(frozen=True)
class Inputs:
    """Everything the pure assessment reads, loaded once for a batch of subjects."""

    surface: Surface
    standards: dict[str, Standard]
    serving: dict[str, Facilities]
    settings: Settings

    def facilities(self, facility_type: str) -> Facilities:
        return self.serving.get(facility_type, Facilities.empty())


def load_inputs(facility_types: Iterable[str], extra: Iterable[tuple] = ()) -> Inputs:
    """The population surface, standards, settings and serving facilities of these types (with
    `extra` serving rows, as `_serving` takes them)."""
    return Inputs(
        surface=population_surface(),
        standards=_standards(),
        serving=_serving(facility_types, extra),
        settings=assessment_settings(),
    )


def _verdicts(subjects: list[Subject], inputs: Inputs) -> dict[int, bool]:
    return verdicts(
        subjects,
        demand=inputs.surface.demand,
        facilities=inputs.serving,
        standards=inputs.standards,
        settings=inputs.settings,
    )


def subjects_of(queryset: QuerySet) -> list[Subject]:
    """The assessment subjects of these assets, in id order."""
    return _subjects(queryset.order_by("id").values_list(*SUBJECT_FIELDS))


def _compute(subjects: list[Subject]) -> tuple[str, dict[int, dict]]:
    """Assess each subject against freshly loaded data; (population_source, {id: result})."""
    inputs = load_inputs(s.facility_type for s in subjects)
    results = {
        s.id: assess(
            s,
            demand=inputs.surface.demand,
            facilities=inputs.facilities(s.facility_type),
            standard=inputs.standards.get(s.facility_type),
            settings=inputs.settings,
        )
        for s in subjects
    }
    return inputs.surface.label, results


# --- assessment ------------------------------------------------------------------------------


def asset_assessment(*, asset: Asset, at=None) -> dict:
    """The assessment of `asset` as it stands in the database now (nothing stored)."""
    [subject] = _subjects(Asset.objects.filter(pk=asset.pk).values_list(*SUBJECT_FIELDS))
    label, results = _compute([subject])
    result = results[subject.id]
    _name_references(result["coverage"])
    return {
        "asset": subject.id,
        "repurposable": result["repurposable"],
        "assessed_at": (at or timezone.now()).isoformat().replace("+00:00", "Z"),
        "population_source": label,
        "checks": result["checks"],
        "coverage": result["coverage"],
    }


def _name_references(coverage: dict | None) -> None:
    """Give the reference facilities among the alternatives their name and provider."""
    if not coverage:
        return
    listed = [a for a in coverage.get("alternatives", ()) if "facility" in a]
    names = reference_names(a["facility"] for a in listed)
    for alternative in listed:
        alternative.update(names.get(alternative["facility"], {}))


@transaction.atomic
def asset_assess(*, asset: Asset) -> dict:
    """Assess `asset` fresh and store the answer on it; returns the assessment."""
    now = timezone.now()
    result = asset_assessment(asset=asset, at=now)
    _store({result["asset"]: result["repurposable"]}, at=now)
    return result


def _store(flags: dict[int, bool], *, at) -> int:
    """Write `repurposable`/`assessed_at` (no history row: the flag is derived data).

    Rows are locked in primary-key order and rows another transaction holds are skipped (that
    transaction's own re-assessment covers them), so concurrent writers never deadlock here.
    """
    if connection.vendor == "postgresql":
        return _store_postgresql(flags, at=at)
    stored = 0
    ids = sorted(flags)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        locked = list(
            Asset.objects.filter(pk__in=chunk)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        for value in (True, False):
            pks = [pk for pk in locked if bool(flags[pk]) == value]
            if pks:
                stored += Asset.objects.filter(pk__in=pks).update(
                    repurposable=value, assessed_at=at
                )
    return stored


def _store_postgresql(flags: dict[int, bool], *, at) -> int:
    """`_store` in one statement per 20,000 rows: ids and flags go as two arrays (a list of
    500 placeholders per statement cost more to build and parse than the update itself)."""
    table = Asset._meta.db_table
    sql = (
        f"WITH locked AS (SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id "
        f"FOR UPDATE SKIP LOCKED) "
        f"UPDATE {table} AS a SET repurposable = v.flag, assessed_at = %s "
        f"FROM unnest(%s::bigint[], %s::boolean[]) AS v(id, flag) "
        f"WHERE a.id = v.id AND a.id IN (SELECT id FROM locked)"
    )
    stored = 0
    ids = sorted(flags)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 20_000):
            chunk = ids[start : start + 20_000]
            cursor.execute(sql, [chunk, at, chunk, [bool(flags[pk]) for pk in chunk]])
            stored += cursor.rowcount
    return stored


def new_asset_verdicts(columns: dict[str, list], *, lon, lat, kecamatan) -> list[bool]:
    """The repurposing verdict of each asset an import is about to create, before it is written.

    `columns` holds use, facility_type, status, condition and land_area_m2 per new row; `lon`,
    `lat` (the representative point) and `kecamatan` come from the derived geometries. The
    answer is the one `assets_assess` gives once the rows are in the register: they serve as
    facilities beside the stored ones, under ids above every stored id. Writing the flag with
    the row spares a second write of every row (and of each of its indexes).
    """
    n = len(lon)
    if n == 0:
        return []
    base = (Asset.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    ids = range(base, base + n)
    rows = [
        (
            ids[i],
            columns["use"][i],
            columns["facility_type"][i],
            columns["status"][i],
            columns["condition"][i],
            columns["land_area_m2"][i],
            lon[i],
            lat[i],
            kecamatan[i],
        )
        for i in range(n)
    ]
    subjects = _subjects(rows)
    serving = [
        (r[2], r[0], r[6], r[7], r[8], None, None)
        for r in rows
        if r[1] in FACILITY_USES and r[2] and r[3] in SERVING_STATUSES
    ]
    types = {s.facility_type for s in subjects}
    flags = _verdicts(subjects, load_inputs(types, serving))
    logger.info(
        "asset assessment finished",
        extra={
            "assessed": n,
            "repurposable": sum(flags.values()),
            "not_repurposable": n - sum(flags.values()),
        },
    )
    return [flags[i] for i in ids]


@transaction.atomic
def assets_assess(*, queryset: QuerySet | None = None) -> dict[str, int]:
    """Re-assess many assets (all by default) and store the answers; returns counts."""
    started = time.perf_counter()
    queryset = Asset.objects.all() if queryset is None else queryset
    subjects = subjects_of(queryset)
    # Only the verdicts are stored: explaining each one would be wasted work.
    flags = _verdicts(subjects, load_inputs(s.facility_type for s in subjects))
    _store(flags, at=timezone.now())
    counts = {
        "assessed": len(flags),
        "repurposable": sum(flags.values()),
        "not_repurposable": len(flags) - sum(flags.values()),
    }
    # An operator's line per run: how many, and how long (the nightly run's cost over time).
    logger.info(
        "asset assessment finished",
        extra={**counts, "duration_s": round(time.perf_counter() - started, 3)},
    )
    return counts


@dataclass(frozen=True)
class Footprint:
    """What of a facility (a city asset or a reference facility) matters to its neighbours'
    assessments."""

    facility_type: str
    serving: bool
    lon: float
    lat: float
    kecamatan: str | None
    # Stated capacity in the unit of the type's standard (students, beds), None where unknown:
    # where any facility states one, the capacity check weighs residents, not a count.
    capacity: float | None = None

    @classmethod
    def of(cls, asset: Asset) -> Footprint:
        is_facility = asset.use in FACILITY_USES and bool(asset.facility_type)
        return cls(
            facility_type=asset.facility_type if is_facility else "",
            serving=is_facility and asset.status in SERVING_STATUSES,
            lon=asset.lon,
            lat=asset.lat,
            kecamatan=asset.kecamatan_id,
            capacity=_linked_capacity(asset) if is_facility else None,
        )


def _linked_capacity(asset: Asset) -> float | None:
    """The capacity the providers' list states for this city asset (the reference facility
    linked to it), in the unit of its type's standard, as `_serving` counts it; None if none.
    A footprint without it would miss a kecamatan leaving or entering the weighing of residents
    when the asset stops or starts serving."""
    if asset.pk is None:
        return None
    unit = getattr(service_standards().get(asset.facility_type), "capacity_unit", "")
    column = CAPACITY_FIELDS.get(unit)
    if column is None:
        return None
    return (
        ReferenceFacility.objects.filter(asset_id=asset.pk).values_list(column, flat=True).first()
    )


def facility_footprint(asset: Asset) -> Footprint:
    """Take this before changing an asset and pass it to `assets_reassess_around` after."""
    return Footprint.of(asset)


def affected_asset_ids(*, asset: Asset, previous: Footprint | None = None) -> set[int]:
    """The assets whose assessment a change of `asset` (from `previous`) can move: the asset
    itself and those `footprints_affected_ids` finds for its change as a facility."""
    return {asset.pk} | footprints_affected_ids([(previous, Footprint.of(asset))])


def footprints_affected_ids(
    changes: Iterable[tuple[Footprint | None, Footprint | None]],
) -> set[int]:
    """The assets whose assessment these facility changes (previous, current; None: not there)
    can move, the changes already written. Only a change of a serving facility counts:
    - coverage: every asset of the same type within twice the radius of the old or new point
      (only those can share catchment cells with it);
    - capacity: every asset of the same type in the old or new kecamatan, when the number of
      serving facilities there (the city's and the providers', as the assessment counts them)
      crosses what the kecamatan needs, or when a facility there states a capacity (then
      residents are weighed, and any change can move the answer); otherwise no capacity
      verdict there can change.
    """
    changes = [(p, c) for p, c in changes if p != c]
    footprints = [f for pair in changes for f in pair if f is not None and f.serving]
    if not footprints:
        return set()
    standards = _standards()
    kecamatan_population = population_surface().demand.population_by("kecamatan")
    types = sorted({f.facility_type for f in footprints})
    supply = _serving(types)
    ids: set[int] = set()
    for facility_type in types:
        rows = list(
            Asset.objects.filter(facility_type=facility_type).values_list(
                "id", "lon", "lat", "kecamatan_id"
            )
        )
        if not rows:
            continue
        standard = standards.get(facility_type)
        pks = np.array([r[0] for r in rows], dtype=np.int64)
        kecamatan = np.array([r[3] for r in rows], dtype=object)
        x, y = lonlat_to_xy(
            np.array([r[1] for r in rows], dtype=float), np.array([r[2] for r in rows], dtype=float)
        )
        mask = np.zeros(len(rows), dtype=bool)
        mine = [f for f in footprints if f.facility_type == facility_type]
        for f in mine:
            if standard is None:
                mask |= kecamatan == f.kecamatan
                continue
            [fx], [fy] = lonlat_to_xy(np.array([f.lon]), np.array([f.lat]))
            mask |= distances(x, y, fx, fy) <= 2 * standard.radius_m
        if standard is not None:
            for code in {f.kecamatan for f in mine if f.kecamatan is not None}:
                if _capacity_weighed(code, standard, changes, supply[facility_type]):
                    mask |= kecamatan == code
                    continue
                after = int((supply[facility_type].kecamatan == code).sum())
                delta = sum(
                    sign
                    for pair in changes
                    for sign, f in zip((-1, 1), pair, strict=True)
                    if f is not None
                    and f.serving
                    and f.facility_type == facility_type
                    and f.kecamatan == code
                )
                before = after - delta
                needed = math.ceil(
                    round(kecamatan_population.get(code, 0.0), 6) / standard.residents_per_facility
                )
                if any((before - own >= needed) != (after - own >= needed) for own in (0, 1)):
                    mask |= kecamatan == code
        ids.update(int(pk) for pk in pks[mask])
    return ids


def _capacity_weighed(code: str, standard: Standard, changes, supply: Facilities) -> bool:
    """Whether a facility of the type serving in kecamatan `code`, before or after the changes,
    states a capacity the type's standard counts (then residents are weighed, not a count)."""
    facility_type = standard.facility_type
    if not standard.residents_per_capacity_unit:
        return False
    if supply.capacity is not None:
        if not np.isnan(supply.capacity[supply.kecamatan == code]).all():
            return True
    return any(
        f is not None
        and f.serving
        and f.facility_type == facility_type
        and f.kecamatan == code
        and f.capacity is not None
        for pair in changes
        for f in pair
    )


@transaction.atomic
def assets_reassess_around(*, asset: Asset, previous: Footprint | None = None) -> int:
    """Recompute the stored flag of `asset` and of every asset its change can affect."""
    ids = affected_asset_ids(asset=asset, previous=previous)
    return assets_assess(queryset=Asset.objects.filter(pk__in=ids))["assessed"]
