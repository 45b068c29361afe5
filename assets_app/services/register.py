"""Writes to the asset register: register and update, each in one transaction.

A write validates the geometry, derives the bounding box, representative point, kelurahan and
kecamatan from it, runs `full_clean()` (which also checks the model constraints) and saves; the
history row records the acting user.

The rules a single write checks are also what a bulk import checks row by row
(`assets_app.importing`): field values through the model fields' own `clean`
(`asset_clean_value`), the cross-field rules (`asset_rule_errors`), the geometry rules
(`geometry_problem`) and the register-code uniqueness message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from assets_app.agencies import (
    agency_write_check,
    asset_number,
    default_agency_code,
    register_key,
)
from assets_app.fields import FIELDS_BY_NAME
from assets_app.fields import names as field_names
from assets_app.kode_barang import item_code_problem
from assets_app.models import (
    EDUCATION_FACILITIES,
    HEALTH_FACILITIES,
    Asset,
    Category,
    Status,
    Use,
)
from assets_app.repurposing import assets_reassess_around, facility_footprint
from core.errors import Conflict
from geodata.boundaries import locate_points
from geodata.spatial import (
    ALLOWED_TYPES,
    GEOMETRY_EMPTY,
    GEOMETRY_INVALID,
    GeometryError,
    explain_invalid,
    lonlat_to_utm_array,
    parse_geometry,
    size_problem,
)

OUTSIDE_DEPOK = _("The geometry lies outside Kota Depok.")
FIELD_NOT_WRITABLE = _("This field cannot be set.")
FIELD_REQUIRED = _("This field is required.")
REGISTER_CODE_TAKEN = _("An asset with this register code already exists.")
FACILITY_TYPE_MISMATCH = _(
    "Facility type {facility_type!r} does not fit use {use!r}: education takes paud, sd, smp or "
    "sma; health takes posyandu, pustu, puskesmas or hospital; other uses take none."
)
GEOMETRY_TOO_SMALL = _(
    "The geometry becomes invalid when rounded to the stored precision (1e-7 degrees, about 1 cm)."
)
GEOMETRY_TYPE_NOT_ALLOWED = _("Geometry type {geom_type!r} is not allowed; use one of {allowed}.")

# Statuses that belong to a workflow (four eyes): designated_economic is set only by approving a
# reclassification (assets_app.repurposing), outlet only by opening an outlet (outlets.services),
# and an asset leaves either only through them. The register sets the others.
WORKFLOW_STATUSES = frozenset({Status.DESIGNATED_ECONOMIC, Status.OUTLET})
REGISTER_STATUSES = frozenset(Status.values) - WORKFLOW_STATUSES
STATUS_SET_BY_WORKFLOW = _(
    "Status {status!r} is set only by its workflow (designated_economic by an approved "
    "reclassification, outlet by opening an outlet); the register sets in_service, underused, "
    "idle or disposed."
)
STATUS_HELD_BY_WORKFLOW = _(
    "The asset's status {status!r} belongs to its workflow; the register cannot change it."
)
DISPOSAL_WITH_ACTIVE_LEASE = _(
    "The asset cannot be disposed of: a stall of its outlet has an active lease."
)
DISPOSAL_WITH_OUTLET = _("The asset cannot be disposed of while an outlet stands on it.")
LAND_NOT_FOUND = _("No land asset has register code {code!r}.")
LAND_LINK_FOR_BUILDINGS = _("Only a building stands on land (nomor kode tanah).")

# Fields a client may set; everything else is derived or managed by workflows.
WRITABLE_FIELDS = frozenset(field_names(writable=True))
# Stored coordinates are rounded to 1e-7 degrees (about 1 cm), as geodata.spatial.to_geojson does.
GRID_SIZE = 1e-7
# Set from the geometry on every write (model field names, for `full_clean(exclude=...)`).
DERIVED_FIELDS = tuple(FIELDS_BY_NAME[name].field for name in field_names(derived=True))


def asset_rule_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Cross-field rules (also database constraints), as field -> messages a person can act on."""
    errors: dict[str, list[str]] = {}
    problem = item_code_problem(values.get("item_code"), values.get("category"))
    if problem:
        errors["item_code"] = [problem]
    if values.get("land_register_code") and values.get("category") == Category.LAND:
        errors["land_register_code"] = [str(LAND_LINK_FOR_BUILDINGS)]
    use = values.get("use")
    facility_type = values.get("facility_type") or ""
    if facility_type:
        allowed = {Use.EDUCATION: EDUCATION_FACILITIES, Use.HEALTH: HEALTH_FACILITIES}.get(use, ())
        if facility_type not in allowed:
            errors["facility_type"] = [
                str(FACILITY_TYPE_MISMATCH).format(facility_type=facility_type, use=use)
            ]
    return errors


def status_problem(current: str | None, new: str) -> str | None:
    """Why the register may not move an asset from status `current` (None: a new asset) to
    `new`, or None. Disposal has its own check, against the database (`disposal_conflicts`)."""
    if new == current:
        return None
    if current in WORKFLOW_STATUSES:
        return str(STATUS_HELD_BY_WORKFLOW).format(status=current)
    if new in WORKFLOW_STATUSES:
        return str(STATUS_SET_BY_WORKFLOW).format(status=new)
    return None


def disposal_conflicts(asset_ids: list[int]) -> dict[int, str]:
    """The assets among `asset_ids` that cannot be disposed of, with why: an outlet stands on
    it (the more telling reason when a stall of it has an active lease).

    The caller holds the assets' rows locked: an outlet is opened only under that lock
    (`outlets.services.outlet_create`), and a lease only on an outlet's stall.
    """
    # outlets builds on assets_app, not the other way round: its models are looked up late.
    from outlets.models import Lease, LeaseStatus, Outlet

    found = {
        asset_id: str(DISPOSAL_WITH_OUTLET)
        for asset_id in Outlet.objects.filter(asset_id__in=asset_ids).values_list(
            "asset_id", flat=True
        )
    }
    if found:
        leased = Lease.objects.filter(
            stall__outlet__asset_id__in=list(found), status=LeaseStatus.ACTIVE
        ).values_list("stall__outlet__asset_id", flat=True)
        found.update((asset_id, str(DISPOSAL_WITH_ACTIVE_LEASE)) for asset_id in leased)
    return found


def asset_clean_value(name: str, raw: Any) -> Any:
    """One writable field's value, cleaned by the model field exactly as `full_clean` does.

    An empty value (None or "") becomes the field's empty value when the field may be blank.
    Raises ValidationError with the field's messages.
    """
    field = Asset._meta.get_field(name)
    if raw is None or raw == "":
        if not field.blank:
            raise ValidationError(str(FIELD_REQUIRED))
        return None if field.null else ""
    return field.clean(raw, None)


def geometry_problem(geom: BaseGeometry | None) -> str | None:
    """Why a parsed geometry cannot be stored (wrong type, empty, too large, invalid), or None."""
    if geom is None:
        return str(FIELD_REQUIRED)
    if geom.geom_type not in ALLOWED_TYPES:
        return str(GEOMETRY_TYPE_NOT_ALLOWED).format(
            geom_type=geom.geom_type, allowed=", ".join(ALLOWED_TYPES)
        )
    if geom.is_empty:
        return str(GEOMETRY_EMPTY)
    too_large = size_problem(geom)
    if too_large:
        return too_large
    if not geom.is_valid:
        return GEOMETRY_INVALID % {"reason": explain_invalid(geom)}
    return None


@dataclass(frozen=True)
class DerivedGeometries:
    """What the register stores for each geometry: rounded GeoJSON, bbox, point, district codes."""

    texts: list[str]  # GeoJSON text of each rounded geometry
    bounds: np.ndarray  # (n, 4): min_lon, min_lat, max_lon, max_lat
    points: np.ndarray  # (n, 2): representative point lon, lat
    utm_points: np.ndarray  # (n, 2): the same point in UTM 48S metres
    utm_wkb: list[bytes]  # WKB of each rounded geometry in UTM 48S metres
    kelurahan: list[str | None]
    kecamatan: list[str | None]
    problems: list[str | None]  # set when rounding to 1 cm collapsed the geometry


def geometries_derive(geoms) -> DerivedGeometries:
    """Round each (valid, allowed) geometry to the stored 1e-7 degree grid and derive from it.

    The bbox, representative point and district all come from the rounded geometry, so they
    agree exactly with the GeoJSON the register stores and serves.
    """
    arr = np.asarray(geoms, dtype=object)
    if shapely.has_z(arr).any():
        arr = shapely.force_2d(arr)
    # Pointwise: each coordinate snaps to the grid and nothing else moves (GEOS's default mode
    # re-nods polygons and may start a ring elsewhere, so a second rounding would differ).
    rounded = shapely.set_precision(arr, GRID_SIZE, mode="pointwise")
    collapsed = ~shapely.is_valid(rounded) | shapely.is_empty(rounded)
    problems = [str(GEOMETRY_TOO_SMALL) if bad else None for bad in collapsed.tolist()]
    safe = np.where(collapsed, arr, rounded)
    texts = shapely.to_geojson(safe).tolist()
    box = shapely.bounds(safe)
    # A point is its own representative point; only the other shapes need the computation.
    simple = (shapely.get_type_id(safe) == shapely.GeometryType.POINT) & ~shapely.is_empty(safe)
    points = np.empty((len(safe), 2))
    points[simple] = shapely.get_coordinates(safe[simple])
    points[~simple] = shapely.get_coordinates(shapely.point_on_surface(safe[~simple]))
    kelurahan, kecamatan = locate_points(points)
    utm_points = lonlat_to_utm_array(points)
    utm = np.full(len(safe), None, dtype=object)
    utm[~simple] = shapely.transform(safe[~simple], lonlat_to_utm_array)
    utm_wkb = shapely.to_wkb(utm).tolist()
    return DerivedGeometries(
        texts, box, points, utm_points, utm_wkb, kelurahan, kecamatan, problems
    )


def asset_set_derived(asset: Asset, derived: DerivedGeometries, i: int) -> None:
    """Set the geometry and everything derived from it on `asset` (not saved)."""
    asset.geometry = orjson.loads(derived.texts[i])
    asset.min_lon, asset.min_lat, asset.max_lon, asset.max_lat = derived.bounds[i].tolist()
    asset.lon, asset.lat = derived.points[i].tolist()
    asset.utm_x, asset.utm_y = derived.utm_points[i].tolist()
    asset.utm_geometry = derived.utm_wkb[i]
    asset.kelurahan_id = derived.kelurahan[i]
    asset.kecamatan_id = derived.kecamatan[i]


def asset_apply_geometry(asset: Asset, geometry: Any, *, allow_outside: bool = False) -> None:
    """Validate `geometry` and set it with everything derived from it on `asset` (not saved)."""
    try:
        geom = parse_geometry(geometry)
    except GeometryError as exc:
        raise ValidationError({"geometry": [exc.message]}) from exc
    derived = geometries_derive([geom])
    if derived.problems[0]:
        raise ValidationError({"geometry": [derived.problems[0]]})
    if derived.kelurahan[0] is None and not allow_outside:
        raise ValidationError({"geometry": [str(OUTSIDE_DEPOK)]})
    asset_set_derived(asset, derived, 0)


def _set_fields(asset: Asset, data: Mapping[str, Any]) -> None:
    unknown = sorted(set(data) - WRITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: [str(FIELD_NOT_WRITABLE)] for name in unknown})
    for name, value in data.items():
        if name != "geometry":
            # A reference may come as its key (the agency's code) as well as the object.
            setattr(asset, FIELDS_BY_NAME[name].column if isinstance(value, str) else name, value)


def _validate(
    asset: Asset,
    data: Mapping[str, Any],
    *,
    allow_outside: bool,
    creating: bool,
    status_before: str | None = None,
) -> None:
    """Collect every problem of the write at once and raise them together, keyed by field."""
    errors: dict[str, list[str]] = {}
    if "status" in data:
        problem = status_problem(status_before, asset.status)
        if problem:
            errors["status"] = [problem]
    geometry_ok = True
    if "geometry" in data:
        try:
            asset_apply_geometry(asset, data["geometry"], allow_outside=allow_outside)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            geometry_ok = False
    elif creating:
        errors["geometry"] = [str(FIELD_REQUIRED)]
        geometry_ok = False
    try:
        asset.full_clean(
            exclude=[*DERIVED_FIELDS, "geometry"] if not geometry_ok else None,
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            if name == "status" and "status" in errors:
                continue  # the workflow's message says more than "not a valid choice"
            errors.setdefault(name, []).extend(messages)
    if not errors.keys() & {"use", "facility_type", "item_code", "category"}:
        errors.update(asset_rule_errors(vars(asset)))
    land = asset.land_register_code
    if (
        land
        and "land_register_code" not in errors
        and not (Asset.objects.filter(register_code=land, category=Category.LAND).exists())
    ):
        errors["land_register_code"] = [str(LAND_NOT_FOUND).format(code=land)]
    code = asset.register_code
    if "register_code" not in errors and (
        Asset.objects.filter(register_code=code).exclude(pk=asset.pk).exists()
    ):
        errors["register_code"] = [str(REGISTER_CODE_TAKEN)]
    if errors:
        raise ValidationError(errors)
    # What is left are the database constraints; the rules above already cover each of them.
    asset.validate_constraints()


@transaction.atomic
def asset_register(
    *, user: AbstractBaseUser | None, data: dict[str, Any], allow_outside: bool = False
) -> Asset:
    """Register a new asset from validated request data; not in a workflow status."""
    asset = Asset()
    _set_fields(asset, data)
    if not asset.custodian_agency_id:
        asset.custodian_agency_id = default_agency_code(user)
    agency_write_check(user, asset.custodian_agency_id)
    _validate(asset, data, allow_outside=allow_outside, creating=True)
    asset_number(asset)
    asset._history_user = user
    asset.save()
    assets_reassess_around(asset=asset)  # repurposing flags of the asset and its neighbours
    return asset


@transaction.atomic
def asset_update(
    *,
    asset: Asset,
    user: AbstractBaseUser | None,
    data: dict[str, Any],
    allow_outside: bool = False,
) -> Asset:
    """Change an asset; the geometry's derived fields follow any new geometry.

    Workflow statuses are neither set nor left here (`status_problem`, 400); disposing of an
    asset an outlet stands on is a conflict (409).
    """
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    agency_write_check(user, asset.custodian_agency_id)
    key_before = register_key(asset)
    status_before = asset.status
    if data.get("status") == Status.DISPOSED and status_before != Status.DISPOSED:
        conflict = disposal_conflicts([asset.pk]).get(asset.pk)
        if conflict:
            raise Conflict(conflict)
    previous = facility_footprint(asset)
    _set_fields(asset, data)
    if not asset.custodian_agency_id:
        asset.custodian_agency_id = default_agency_code(user)
    agency_write_check(user, asset.custodian_agency_id)  # nor hand it to another agency
    renumber = register_key(asset) != key_before or asset.register_number is None
    if renumber:
        asset.register_number = None  # its number belonged to the old key
    _validate(asset, data, allow_outside=allow_outside, creating=False, status_before=status_before)
    if renumber:
        asset_number(asset)
    asset._history_user = user
    asset.save()
    assets_reassess_around(asset=asset, previous=previous)
    return asset
