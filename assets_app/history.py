"""An asset's history as people read it.

`asset_history_changes(record, previous)` turns one django-simple-history record (and the one
before it) into its changes: for each field the API's name (`field`), its verbose name in the
active language (`field_label`), the stored values as JSON shows them (`old`, `new`) and as a
person reads them (`old_display`, `new_display`: choice labels, agency and district names,
yes/no, a short geometry summary). The API's history entries, the admin's history page and the
officers' pages all read it, so the three never disagree.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assets_app.models import Agency, Asset
from geodata.models import District

# Derived or bookkeeping columns the history does not show (the geometry records them).
HISTORY_HIDDEN_FIELDS = ("min_lon", "min_lat", "max_lon", "max_lat", "lon", "lat", "assessed_at")
# The API names of the district foreign keys (their stored value is the code).
HISTORY_FIELD_NAMES = {"kelurahan": "kelurahan_code", "kecamatan": "kecamatan_code"}
EMPTY = "—"
POINT_DISPLAY = _("point {lon}, {lat} (lon, lat)")
SHAPE_DISPLAY = _("{kind} with {count} vertices")
SHAPE_KINDS = {"Polygon": _("polygon"), "MultiPolygon": _("multipolygon")}


def json_value(value: Any) -> Any:
    """A stored value as JSON shows it: dates ISO 8601 (UTC times with Z), decimals as strings."""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def history_names() -> dict[str, dict[str, str]]:
    """Names for the stored codes: agencies and districts (two small tables, read once per
    page of history rather than once per change)."""
    return {
        "custodian_agency": dict(Agency.objects.values_list("code", "name")),
        "district": dict(District.objects.values_list("code", "name")),
    }


def asset_history_changes(
    record, previous, *, names: dict[str, dict[str, str]] | None = None
) -> list[dict[str, Any]]:
    """The changes `record` made after `previous`, sorted by field name; with no `previous`,
    the values it was created with (empty ones left out) in the model's order. `names` is
    `history_names()`, loaded here when not given."""
    names = history_names() if names is None else names
    fields = [f for f in record.tracked_fields if f.name not in ("id", *HISTORY_HIDDEN_FIELDS)]
    changes = []
    for field in fields:
        new = json_value(getattr(record, field.attname))
        if previous is None:
            if new in (None, ""):
                continue
            old = None
        else:
            if getattr(previous, field.attname) == getattr(record, field.attname):
                continue
            old = json_value(getattr(previous, field.attname))
        changes.append(
            {
                "field": HISTORY_FIELD_NAMES.get(field.name, field.name),
                "field_label": field_label(field.name),
                "old": old,
                "new": new,
                "old_display": value_display(field.name, old, names),
                "new_display": value_display(field.name, new, names),
            }
        )
    if previous is None:
        return changes  # the model's order, as the record was created
    return sorted(changes, key=lambda change: change["field"])


def field_label(name: str) -> str:
    """The asset field's verbose name in the active language."""
    return str(capfirst(Asset._meta.get_field(name).verbose_name))


def value_display(name: str, value: Any, names: dict[str, dict[str, str]]) -> str:
    """`value` (as JSON shows it) of the asset field `name`, as a person reads it."""
    if value in (None, ""):
        return EMPTY
    field = Asset._meta.get_field(name)
    if name == "custodian_agency":
        return names["custodian_agency"].get(value, str(value))
    if name in ("kelurahan", "kecamatan"):
        return names["district"].get(value, str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if name == "geometry":
        return geometry_display(value)
    return str(value)


def geometry_display(geometry: Any) -> str:
    """A point's coordinates, or a shape's kind and vertex count."""
    if not isinstance(geometry, dict):
        return str(geometry)
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Point" and isinstance(coordinates, list | tuple) and len(coordinates) >= 2:
        return str(POINT_DISPLAY).format(lon=f"{coordinates[0]:.6f}", lat=f"{coordinates[1]:.6f}")
    return str(SHAPE_DISPLAY).format(
        kind=SHAPE_KINDS.get(kind, kind), count=_vertex_count(coordinates)
    )


def _vertex_count(coordinates: Any) -> int:
    if isinstance(coordinates, list | tuple):
        if coordinates and all(isinstance(c, int | float) for c in coordinates):
            return 1
        return sum(_vertex_count(c) for c in coordinates)
    return 0
