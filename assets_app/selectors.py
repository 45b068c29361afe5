"""Reads of the asset register: the base list, the plain-value rows the API and exports serve,
and an asset's history with what changed in each step.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from assets_app.models import Asset

# What the API shows of an asset, in order (DESIGN.md plus the KIB register fields).
OUTPUT_FIELDS = (
    "id",
    "register_code",
    "item_code",
    "name",
    "category",
    "use",
    "facility_type",
    "custodian",
    "address",
    "geometry",
    "kelurahan_code",
    "kecamatan_code",
    "land_area_m2",
    "building_area_m2",
    "floors",
    "concrete",
    "condition",
    "title_type",
    "title_number",
    "title_date",
    "origin",
    "acquisition_year",
    "book_value",
    "status",
    "notes",
    "repurposable",
    "created_at",
    "updated_at",
)
# Model attribute per output name where they differ.
_COLUMNS = {"kelurahan_code": "kelurahan_id", "kecamatan_code": "kecamatan_id"}
# History noise: columns that follow the geometry, and the time of the last automatic
# assessment (it moves on every write); none needs a line of its own.
HISTORY_HIDDEN_FIELDS = ("min_lon", "min_lat", "max_lon", "max_lat", "lon", "lat", "assessed_at")
HISTORY_FIELD_NAMES = {"kelurahan": "kelurahan_code", "kecamatan": "kecamatan_code"}


def asset_list(*, filters: dict[str, Any] | None = None) -> QuerySet[Asset]:
    """All assets (ordered by id), optionally narrowed by plain field lookups."""
    queryset = Asset.objects.all()
    if filters:
        queryset = queryset.filter(**filters)
    return queryset


def asset_ids_in_order(
    queryset: QuerySet[Asset], *, distances: dict | None = None, reverse: bool = False
) -> list[int]:
    """The ids the queryset matches, by id, or by (distance, id) when `distances` are given.

    Read without ORDER BY so the database answers from the bbox index alone (SQLite would
    otherwise walk the whole table in id order looking for the few matches), sorted here.
    """
    ids = list(queryset.order_by().values_list("pk", flat=True))
    if distances is None:
        return sorted(ids)
    return sorted(ids, key=lambda pk: (distances[pk], pk), reverse=reverse)


def asset_get(*, pk: int) -> Asset:
    return Asset.objects.get(pk=pk)


def asset_columns() -> list[str]:
    """The model columns behind OUTPUT_FIELDS, for `.values_list()`."""
    return [_COLUMNS.get(name, name) for name in OUTPUT_FIELDS]


def json_value(value: Any) -> Any:
    """A stored value as JSON shows it: dates ISO 8601 (UTC times with Z), decimals as strings."""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def asset_history(*, asset: Asset) -> QuerySet:
    """The asset's history records, newest first, with the acting user joined."""
    return asset.history.select_related("history_user").order_by("-history_date", "-history_id")


def history_entry(record, previous) -> dict[str, Any]:
    """One history record as who, when, what kind, and each changed field's old and new value.

    The first record lists the values it was created with (old is null).
    """
    if previous is None:
        changes = [
            {
                "field": HISTORY_FIELD_NAMES.get(f.name, f.name),
                "old": None,
                "new": _value(record, f),
            }
            for f in record.tracked_fields
            if f.name not in ("id", *HISTORY_HIDDEN_FIELDS) and _value(record, f) not in (None, "")
        ]
    else:
        # Every tracked field, not only the editable ones simple-history's diff_against
        # compares: the derived district codes and the workflow fields are part of what changed.
        changes = [
            {
                "field": HISTORY_FIELD_NAMES.get(f.name, f.name),
                "old": _value(previous, f),
                "new": _value(record, f),
            }
            for f in sorted(
                record.tracked_fields, key=lambda f: HISTORY_FIELD_NAMES.get(f.name, f.name)
            )
            if f.name not in ("id", *HISTORY_HIDDEN_FIELDS)
            and getattr(previous, f.attname) != getattr(record, f.attname)
        ]
    user = record.history_user
    return {
        "id": record.history_id,
        "type": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
        "user": user.get_username() if user is not None else None,
        "date": json_value(record.history_date),
        "changes": changes,
    }


def _value(record, field) -> Any:
    return json_value(getattr(record, field.attname))


def asset_history_entries(records: list, *, before: Any = None) -> list[dict[str, Any]]:
    """Entries for records given newest first; `before` is the record preceding the oldest."""
    entries = []
    for i, record in enumerate(records):
        previous = records[i + 1] if i + 1 < len(records) else before
        entries.append(history_entry(record, previous))
    return entries
