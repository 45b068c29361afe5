"""Asset shapes over HTTP: the read shape (one object, and a fast path for long lists), the write
shape (only fields a client may set), history entries and the import report.

The list is the hot path (maps ask for up to 1,000 features at a time), so it does not build a
model instance or a serializer field per value: `asset_items` turns the `.values_list()` rows
straight into the same dicts `AssetSerializer` produces, with the stored GeoJSON passed through
as an `orjson.Fragment` instead of being parsed and encoded again.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

import orjson
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import BoundedModelSerializer
from api.renderers import FeatureList
from api.schema import GEOMETRY_SCHEMA
from api.schema_constraints import GeometryInputField
from assets_app.fields import names as field_names
from assets_app.models import Agency, Asset
from assets_app.selectors import OUTPUT_FIELDS, asset_columns, asset_output_rows, json_value
from assets_app.services import FIELD_NOT_WRITABLE, WRITABLE_FIELDS


@extend_schema_field(GEOMETRY_SCHEMA)
class GeometryField(serializers.JSONField):
    """A GeoJSON geometry; the services validate it."""


class AssetSerializer(serializers.ModelSerializer):
    """An asset as the API shows it; `distance_m` only when the list was asked with `near`."""

    geometry = GeometryField(read_only=True)
    kelurahan_code = serializers.CharField(source="kelurahan_id", read_only=True, allow_null=True)
    kecamatan_code = serializers.CharField(source="kecamatan_id", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True, default_timezone=UTC)
    updated_at = serializers.DateTimeField(read_only=True, default_timezone=UTC)
    # Not required (so the schema does not demand it): present only when the list used `near`.
    distance_m = serializers.FloatField(
        required=False,
        help_text=_("Metres from the `near` point (0 inside a polygon); only with near."),
    )

    class Meta:
        model = Asset
        fields = [*OUTPUT_FIELDS, "distance_m"]
        read_only_fields = [name for name in fields if name != "distance_m"]

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        # A read-only choice field loses `allow_blank`, so the schema would forbid the "" that
        # optional choices (facility_type, title_type, origin, ...) hold: keep it.
        blank = kwargs.get("allow_blank", False) and "choices" in kwargs
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if blank:
            kwargs["allow_blank"] = True
        return kwargs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Metres from `near`, handed on by the list (or detail) in the context.
        distances = self.context.get("distances")
        distance = distances.get(instance.pk) if distances else None
        if distance is not None:
            data["distance_m"] = distance
        return data


# --- the fast list path ------------------------------------------------------------------------

_GEOMETRY_TEXT = "geometry_text"
# Values `.values_list()` gives as Python objects that JSON shows as text.
_CONVERTED = field_names(output=True, kinds=("date", "decimal", "datetime"))


def asset_list_rows(queryset):
    """The queryset as tuples in OUTPUT_FIELDS order, the geometry as its stored JSON text."""
    columns = [_GEOMETRY_TEXT if c == "geometry" else c for c in asset_columns()]
    return queryset.annotate(**{_GEOMETRY_TEXT: Cast("geometry", TextField())}).values_list(
        *columns
    )


def page_fields(
    *, features: bool, names: tuple[str, ...] | None, near: bool = False
) -> tuple[str, ...]:
    """The output names `asset_page_items` reads for a page, in its order (what a selector
    reading the page's rows itself must give it)."""
    if names is None:
        return OUTPUT_FIELDS
    columns = tuple(n for n in names if n in OUTPUT_FIELDS)
    if features and not (near and "distance_m" in names):
        return ("id", *columns, "geometry")
    return ("id", "geometry", *columns)


def asset_page_items(
    ids: list[int],
    distances: dict | None = None,
    *,
    features: bool = False,
    names: tuple[str, ...] | None = None,
    rows: list[tuple] | None = None,
) -> list[dict[str, Any]]:
    """The items of a map page: these assets, in this order, in one query by primary key (or
    from `rows`, read already in `page_fields` order).

    With `features` they come as GeoJSON Features (a `FeatureList`) for the GeoJSON renderer.
    With `names` (`properties=`) only id, geometry and those, and only their columns are read:
    the items `api.properties.project_items` would cut from the full ones.
    """
    fields = page_fields(features=features, names=names, near=distances is not None)
    if rows is None:
        rows = asset_output_rows(ids, fields)
    if names is not None:
        return _named_page_items(rows, fields, distances, features, names)
    geometry_at = OUTPUT_FIELDS.index("geometry")
    fragment = orjson.Fragment
    items = FeatureList() if features else []
    for row in rows:
        item = dict(zip(OUTPUT_FIELDS, row, strict=True))
        if distances is not None:
            item["distance_m"] = distances.get(row[0])
        if features:
            del item["geometry"]
            item = {
                "type": "Feature",
                "id": row[0],
                "geometry": fragment(row[geometry_at]),
                "properties": item,
            }
        else:
            item["geometry"] = fragment(row[geometry_at])
        items.append(item)
    return items


def _named_page_items(rows, fields, distances, features, names) -> list[dict[str, Any]]:
    columns = fields[1:-1] if fields[-1] == "geometry" else fields[2:]
    fragment = orjson.Fragment
    items = FeatureList() if features else []
    # distance_m is no column: the full item has it only with `near`
    if distances is not None and "distance_m" in names:
        keys = tuple(n for n in names if n in columns or n == "distance_m")
        for row in rows:
            values = dict(zip(columns, row[2:], strict=True))
            values["distance_m"] = distances.get(row[0])
            values = [values[n] for n in keys]
            if features:
                properties = dict(zip(("id", *keys), (row[0], *values), strict=True))
                items.append(_feature(row[0], fragment(row[1]), properties))
            else:
                item = (row[0], fragment(row[1]), *values)
                items.append(dict(zip(("id", "geometry", *keys), item, strict=True)))
        return items
    # The hot path: one dict per item straight from the row (zip stops before the last column).
    # No `strict=` on this zip: the keyword alone cost 0.14 ms per 1,000 features.
    if features:
        keys = fields[:-1]
        items.extend(
            [
                {
                    "type": "Feature",
                    "id": row[0],
                    "geometry": fragment(row[-1]),
                    "properties": dict(zip(keys, row)),  # noqa: B905
                }
                for row in rows
            ]
        )
        return items
    for row in rows:
        item = dict(zip(fields, row, strict=True))
        item["geometry"] = fragment(row[1])
        items.append(item)
    return items


def _feature(pk, geometry, properties: dict) -> dict:
    # as in every GeoJSON list of the API, the properties repeat the id
    return {"type": "Feature", "id": pk, "geometry": geometry, "properties": properties}


def asset_items(rows, distances: dict | None = None) -> list[dict[str, Any]]:
    """Rows from `asset_list_rows` as the dicts AssetSerializer would give."""
    names = OUTPUT_FIELDS
    geometry_at = names.index("geometry")
    converted = [names.index(n) for n in _CONVERTED]
    fragment = orjson.Fragment
    items = []
    for row in rows:
        row = list(row)
        row[geometry_at] = fragment(row[geometry_at])
        for i in converted:
            if row[i] is not None:
                row[i] = json_value(row[i])
        item = dict(zip(names, row, strict=True))
        if distances is not None:
            item["distance_m"] = distances.get(row[0])
        items.append(item)
    return items


# --- writes ------------------------------------------------------------------------------------


class AssetWriteSerializer(BoundedModelSerializer):
    """What a client may send; derived and workflow fields are refused by name (400), numbers
    beyond what their columns hold too."""

    # The schema says so too (`api.schema.StrictAutoSchema`).
    rejects_unknown_fields = True
    geometry = GeometryInputField()
    custodian_agency = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Agency.objects.all(),
        required=False,
        help_text=_(
            "The custodian agency's code (GET agencies/); default: the officer's own agency."
        ),
    )

    class Meta:
        model = Asset
        fields = sorted(WRITABLE_FIELDS)
        extra_kwargs = {
            # The service checks uniqueness (one message, one place).
            "register_code": {"validators": []},
            # The service refuses workflow statuses (one message, one place); the schema says so.
            "status": {
                "help_text": _(
                    "in_service, underused, idle or disposed; designated_economic and outlet "
                    "are set only by their workflows (400), and an asset an outlet stands on "
                    "is not disposed of (409)."
                )
            },
        }

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [str(FIELD_NOT_WRITABLE)] for name in unknown}
                )
        return super().to_internal_value(data)


# --- history and import --------------------------------------------------------------------------


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    field_label = serializers.CharField(help_text=_("The field's name in the active language."))
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)
    old_display = serializers.CharField(
        help_text=_("The old value as people read it: choice labels, agency and district names.")
    )
    new_display = serializers.CharField(help_text=_("The new value as people read it."))


class HistoryEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    user = serializers.CharField(allow_null=True, help_text=_("Username of who made the change."))
    date = serializers.DateTimeField()
    changes = HistoryChangeSerializer(many=True)


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("CSV (lon/lat or wkt columns), GeoJSON or GeoPackage.")
    )
    dry_run = serializers.BooleanField(default=False)
    update = serializers.BooleanField(
        default=False, help_text=_("Update assets whose register code exists (upsert).")
    )


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        allow_null=True, help_text=_("1-based data row; null for the file itself.")
    )
    field = serializers.CharField()
    message = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = ImportErrorSerializer(many=True)
    dry_run = serializers.BooleanField()


class FieldErrorsSerializer(serializers.Serializer):
    """`{"field": ["message", ...]}` (keys vary)."""

    file = serializers.ListField(child=serializers.CharField(), required=False)


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["code", "name", "kind", "location_code", "runs_outlets"]
        read_only_fields = fields
