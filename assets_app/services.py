"""Writes to the asset register: register and update, each in one transaction.

A write validates the geometry, derives the bounding box, representative point, kelurahan and
kecamatan from it, runs `full_clean()` (which also checks the model constraints) and saves; the
history row records the acting user.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from assets_app.models import Asset
from geodata.boundaries import locate
from geodata.spatial import GeometryError, bounds, parse_geometry, representative_point, to_geojson

OUTSIDE_DEPOK = _("The geometry lies outside Kota Depok.")

# Fields a client may set; everything else is derived or managed by workflows.
WRITABLE_FIELDS = frozenset(
    {
        "register_code", "item_code", "name", "category", "use", "facility_type", "custodian",
        "address", "geometry", "land_area_m2", "building_area_m2", "floors", "concrete",
        "condition", "title_type", "title_number", "title_date", "origin", "acquisition_year",
        "book_value", "status", "notes",
    }
)


def asset_apply_geometry(asset: Asset, geometry: Any, *, allow_outside: bool = False) -> None:
    """Validate `geometry` and set it with everything derived from it on `asset` (not saved)."""
    try:
        geom = parse_geometry(geometry)
    except GeometryError as exc:
        raise ValidationError({"geometry": [exc.message]}) from exc
    location = locate(geom)
    if not location.inside and not allow_outside:
        raise ValidationError({"geometry": [str(OUTSIDE_DEPOK)]})
    asset.geometry = to_geojson(geom)
    asset.min_lon, asset.min_lat, asset.max_lon, asset.max_lat = bounds(geom)
    asset.lon, asset.lat = representative_point(geom)
    asset.kelurahan_id = location.kelurahan_code
    asset.kecamatan_id = location.kecamatan_code


def _set_fields(asset: Asset, data: dict[str, Any]) -> None:
    unknown = sorted(set(data) - WRITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in unknown})
    for name, value in data.items():
        if name != "geometry":
            setattr(asset, name, value)


@transaction.atomic
def asset_register(
    *, user: AbstractBaseUser | None, data: dict[str, Any], allow_outside: bool = False
) -> Asset:
    """Register a new asset from validated request data."""
    asset = Asset()
    _set_fields(asset, data)
    if "geometry" not in data:
        raise ValidationError({"geometry": [_("This field is required.")]})
    asset_apply_geometry(asset, data["geometry"], allow_outside=allow_outside)
    asset.full_clean()
    asset._history_user = user
    asset.save()
    return asset


@transaction.atomic
def asset_update(
    *,
    asset: Asset,
    user: AbstractBaseUser | None,
    data: dict[str, Any],
    allow_outside: bool = False,
) -> Asset:
    """Change an asset; the geometry's derived fields follow any new geometry."""
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    _set_fields(asset, data)
    if "geometry" in data:
        asset_apply_geometry(asset, data["geometry"], allow_outside=allow_outside)
    asset.full_clean()
    asset._history_user = user
    asset.save()
    return asset
