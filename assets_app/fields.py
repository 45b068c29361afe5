"""One description of an asset's fields: what the API, the writes, the exports and the import
call each one, where it is stored, who sets it and how it is typed.

The services (`WRITABLE_FIELDS`, `DERIVED_FIELDS`), the selectors (`OUTPUT_FIELDS` and their
columns), the exports (`EXPORT_COLUMNS` and the typed GeoPackage columns), the import (ignored
and required columns, each column's converter) and the serializers derive their lists from
`ASSET_FIELDS`, so a new field is added here once. The table follows the model's field order,
which is also the order the API shows; `tests/assets_app/test_asset_fields.py` checks it
against the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# How a value is typed, which picks its import converter and its GeoPackage column type.
Kind = Literal[
    "text", "integer", "float", "boolean", "date", "datetime", "decimal", "json", "binary", "code"
]


@dataclass(frozen=True, slots=True)
class AssetField:
    """One asset field.

    `name` is what the API, exports and imports call it; `field` the model field and `column`
    its attribute (they differ for the district references, shown as their codes).
    """

    name: str
    kind: Kind = "text"
    field: str = ""
    column: str = ""
    # A client may set it (the write serializer, the admin form, an import column).
    writable: bool = False
    # An import must have this column.
    required: bool = False
    # The API shows it (in this table's order).
    output: bool = True
    # Set from the geometry on every write.
    derived: bool = False

    def __post_init__(self) -> None:
        # The common case: the name is the model field and its column.
        if not self.field:
            object.__setattr__(self, "field", self.name)
        if not self.column:
            object.__setattr__(self, "column", self.field)

    @property
    def exported(self) -> bool:
        """Exports carry every writable field and the derived district codes; the geometry
        travels in the format's own geometry (or the CSV's wkt column)."""
        return self.kind != "json" and (self.writable or (self.output and self.derived))


def _set(name: str, kind: Kind = "text", *, required: bool = False) -> AssetField:
    return AssetField(name, kind, writable=True, required=required)


def _geometry_derived(name: str, kind: Kind = "float") -> AssetField:
    return AssetField(name, kind, output=False, derived=True)


def _district(name: str) -> AssetField:
    return AssetField(f"{name}_code", "code", field=name, column=f"{name}_id", derived=True)


ASSET_FIELDS: tuple[AssetField, ...] = (
    AssetField("id", "integer"),
    _set("register_code", required=True),
    _set("item_code"),
    _set("name", required=True),
    _set("category", required=True),
    _set("use", required=True),
    _set("facility_type"),
    _set("custodian"),
    AssetField("custodian_agency", "code", column="custodian_agency_id", writable=True),
    AssetField("register_number", "integer"),
    _set("land_register_code"),
    _set("address"),
    _set("geometry", "json"),
    _geometry_derived("min_lon"),
    _geometry_derived("min_lat"),
    _geometry_derived("max_lon"),
    _geometry_derived("max_lat"),
    _geometry_derived("lon"),
    _geometry_derived("lat"),
    _geometry_derived("utm_x"),
    _geometry_derived("utm_y"),
    _geometry_derived("utm_geometry", "binary"),
    _district("kelurahan"),
    _district("kecamatan"),
    _set("land_area_m2", "float"),
    _set("building_area_m2", "float"),
    _set("floors", "integer"),
    _set("concrete", "boolean"),
    _set("condition"),
    _set("title_type"),
    _set("title_number"),
    _set("title_date", "date"),
    _set("origin"),
    _set("acquisition_year", "integer"),
    _set("book_value", "decimal"),
    _set("status"),
    _set("notes"),
    AssetField("repurposable", "boolean"),
    # Workflow bookkeeping (assessment, reclassification): stored, not shown.
    AssetField("assessed_at", "datetime", output=False),
    AssetField("previous_use", output=False),
    AssetField("previous_facility_type", output=False),
    AssetField("created_at", "datetime"),
    AssetField("updated_at", "datetime"),
)
FIELDS_BY_NAME = {f.name: f for f in ASSET_FIELDS}


def names(*, kinds: tuple[Kind, ...] = (), **flags: bool) -> tuple[str, ...]:
    """The names of the fields with these flags (and one of these kinds), in table order."""
    return tuple(
        f.name
        for f in ASSET_FIELDS
        if all(getattr(f, flag) == wanted for flag, wanted in flags.items())
        and (not kinds or f.kind in kinds)
    )
