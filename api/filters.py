"""Map and district filter backends shared by every geographic list (assets, outlets, ...).

Each backend has DRF's shape: its query parameter as a class attribute, view configuration read
with `getattr(view, ...)`, a 400 naming the parameter on bad input, and schema parameters for
OpenAPI whose constraints (patterns, ranges, enums) admit what the parser accepts. A view whose
rows keep their geometry on a related model sets `geo_prefix` (e.g. `"asset__"` for outlets).

The backends only parse: each hands its part of a `geodata.map_query.MapQuery` on
(`query_part`), which `map_query_from_request` gathers. The query itself is answered in
`geodata.map_query`: a list pages its matches through a selector (`api.map_list.MapListMixin`);
any other action (detail, export) gets the queryset narrowed exactly by `filter_queryset`.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.utils import get_model_field
from drf_spectacular.drainage import set_override
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend, OrderingFilter

from api.fields import integer_bounds, integer_range
from api.properties import PropertiesFilter
from geodata import boundaries
from geodata.map_query import MapQuery, map_filter
from geodata.spatial import MAX_RADIUS_M, GeometryError, parse_bbox, parse_near

UNKNOWN_DISTRICT = _("Unknown district code {code!r}: use a Depok kecamatan or kelurahan code.")
DISTANCE_NEEDS_NEAR = _("Ordering by distance needs near=lon,lat and radius.")
UNKNOWN_ORDERING = _("Cannot order by {field!r}; use one of: {allowed}.")

# Patterns of what `parse_bbox` / `parse_near` accept: decimal degrees within range (the order
# of a box's corners is checked by the parser alone).
_LON = r"-?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[0-9]{1,2})(?:\.[0-9]+)?)"
_LAT = r"-?(?:90(?:\.0+)?|[0-8]?[0-9](?:\.[0-9]+)?)"
BBOX_PATTERN = rf"^{_LON},{_LAT},{_LON},{_LAT}$"
NEAR_PATTERN = rf"^{_LON},{_LAT}$"


def _raise(exc: GeometryError, default_param: str):
    raise ValidationError({exc.param or default_param: [exc.message]})


def _prefix(view) -> str:
    return getattr(view, "geo_prefix", "")


def _param_schema(name: str, description: str, **schema: Any) -> dict:
    return {
        "name": name,
        "required": False,
        "in": "query",
        "description": str(description),
        "schema": {"type": "string", **schema},
    }


def map_query_from_request(request, view) -> MapQuery:
    """The request's map query: the parts the view's filter backends parse (400 on bad input)."""
    parts: dict = {}
    for backend in view.filter_backends:
        query_part = getattr(backend, "query_part", None)
        if query_part is not None:
            parts.update(backend().query_part(request, view))
    return MapQuery(**parts)


class MapFilterBackend(BaseFilterBackend):
    """A spatial condition of the map query. A list that pages the query itself
    (`MapListMixin`) only parses it (`query_part`); elsewhere `filter_queryset` narrows the
    queryset to the exact matches."""

    def query_part(self, request, view) -> dict:
        raise NotImplementedError

    def filter_queryset(self, request, queryset: QuerySet, view) -> QuerySet:
        query = MapQuery(**self.query_part(request, view))
        if query.spatial:
            queryset, _distances = map_filter(queryset, query, prefix=_prefix(view))
        return queryset


class BBoxFilter(MapFilterBackend):
    """`bbox=minLon,minLat,maxLon,maxLat`: features whose geometry intersects the box."""

    bbox_param = "bbox"

    def query_part(self, request, view) -> dict:
        value = request.query_params.get(self.bbox_param)
        if value is None:
            return {}
        try:
            return {"bbox": parse_bbox(value, param=self.bbox_param)}
        except GeometryError as exc:
            _raise(exc, self.bbox_param)

    def get_schema_operation_parameters(self, view):
        return [
            _param_schema(
                self.bbox_param,
                _("minLon,minLat,maxLon,maxLat (EPSG:4326): features intersecting the box."),
                pattern=BBOX_PATTERN,
            )
        ]


class NearFilter(MapFilterBackend):
    """`near=lon,lat&radius=metres`: features within that distance; `ordering=distance`.

    The distance is from the point to the geometry in metres (UTM 48S), 0 inside a polygon;
    serializers show it as `distance_m` (from their context's `distances`).
    """

    near_param = "near"
    radius_param = "radius"
    ordering_param = "ordering"

    def query_part(self, request, view) -> dict:
        params = request.query_params
        near_value = params.get(self.near_param)
        ordering = params.get(self.ordering_param, "").strip()
        if near_value is None:
            if params.get(self.radius_param) is not None:
                raise ValidationError(
                    {self.near_param: [str(_("near=lon,lat is required with radius."))]}
                )
            if ordering in ("distance", "-distance"):
                raise ValidationError({self.ordering_param: [str(DISTANCE_NEEDS_NEAR)]})
            return {}
        try:
            near = parse_near(
                near_value,
                params.get(self.radius_param),
                near_param=self.near_param,
                radius_param=self.radius_param,
            )
        except GeometryError as exc:
            _raise(exc, self.near_param)
        return {"near": near, "ordering": ordering}

    def get_schema_operation_parameters(self, view):
        return [
            _param_schema(
                self.near_param,
                _("lon,lat of the search point (EPSG:4326)."),
                pattern=NEAR_PATTERN,
            ),
            _param_schema(
                self.radius_param,
                _("Search radius in metres (required with near, at most 50000)."),
                type="number",
                minimum=0,
                exclusiveMinimum=True,
                maximum=MAX_RADIUS_M,
            ),
        ]


class DistrictFilter(BaseFilterBackend):
    """`district=<code>`: a kecamatan (e.g. 32.76.06) or kelurahan (32.76.06.1001) code.

    A plain filter on the indexed district columns, for every action; it also marks a list as a
    map query (`query_part`).
    """

    district_param = "district"

    def _code(self, request) -> tuple[str, str] | None:
        """(code, level) of the requested district, or None when none is asked."""
        code = request.query_params.get(self.district_param)
        if code is None:
            return None
        level = boundaries.levels().get(code.strip())
        if level is None:
            raise ValidationError({self.district_param: [str(UNKNOWN_DISTRICT).format(code=code)]})
        return code.strip(), level

    def query_part(self, request, view) -> dict:
        district = self._code(request)
        return {} if district is None else {"district": district[0]}

    def filter_queryset(self, request, queryset: QuerySet, view) -> QuerySet:
        district = self._code(request)
        if district is None:
            return queryset
        code, level = district
        return queryset.filter(**{f"{_prefix(view)}{level}_id": code})

    def get_schema_operation_parameters(self, view):
        return [
            _param_schema(
                self.district_param,
                _("Kemendagri kecamatan or kelurahan code."),
                enum=sorted(boundaries.levels()),
            )
        ]


class StrictOrderingFilter(OrderingFilter):
    """DRF's OrderingFilter, but an unknown field is a 400 naming `ordering`, not ignored.

    `distance` / `-distance` are left to NearFilter.
    """

    def query_part(self, request, view) -> dict:
        return {"ordering": request.query_params.get(self.ordering_param, "").strip()}

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if not params:
            return self.get_default_ordering(view)
        fields = [f.strip() for f in params.split(",") if f.strip()]
        near_enabled = _near_enabled(view)
        if near_enabled and any(f.lstrip("-") == "distance" for f in fields):
            if len(fields) > 1:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            str(_("distance cannot be combined with other fields."))
                        ]
                    }
                )
            return None
        allowed = [
            name for name, _label in self.get_valid_fields(queryset, view, {"request": request})
        ]
        bad = [f for f in fields if f.lstrip("-") not in allowed]
        extra = ["distance"] if near_enabled else []
        if bad:
            raise ValidationError(
                {
                    self.ordering_param: [
                        str(UNKNOWN_ORDERING).format(
                            field=bad[0], allowed=", ".join(sorted(allowed) + extra)
                        )
                    ]
                }
            )
        return fields

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if ordering:
            # A stable tiebreak keeps paging deterministic.
            return queryset.order_by(*ordering, "pk")
        return queryset

    def get_schema_operation_parameters(self, view):
        """A comma list of the view's `ordering_fields`, each ascending or descending (`-`);
        `distance` / `-distance` alone where NearFilter is on."""
        fields = [f for f in getattr(view, "ordering_fields", None) or [] if f != "__all__"]
        names = [name for field in fields for name in (field, f"-{field}")]
        description = _("Comma list of fields, '-' for descending: {fields}.").format(
            fields=", ".join(fields)
        )
        if _near_enabled(view):
            names += ["distance", "-distance"]
            description = _(
                "Comma list of fields, '-' for descending: {fields}; or distance / -distance "
                "with near."
            ).format(fields=", ".join(fields))
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": str(description),
                "style": "form",
                "explode": False,
                "schema": {"type": "array", "items": {"type": "string", "enum": names}},
            }
        ]


def _near_enabled(view) -> bool:
    return NearFilter in getattr(view, "filter_backends", ())


class BoundedFilterSet(django_filters.FilterSet):
    """A FilterSet whose number filters on integer columns (ids, counts, years) take whole
    numbers within the column's range (`api.fields.integer_range`), so `?asset=` with twenty
    digits is a 400 naming it rather than an overflow in the database (a 500).

    django-filter's NumberFilter reads a Decimal, which the ORM's own out-of-range guard for
    integer lookups lets through.
    """

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        model = cls._meta.model
        for number_filter in filters.values():
            if model is None or not isinstance(number_filter, django_filters.NumberFilter):
                continue
            field = get_model_field(model, number_filter.field_name)
            bounds = integer_range(field) if field is not None else None
            if bounds is not None:
                number_filter.field_class = forms.IntegerField
                integer_bounds(number_filter.extra, bounds)
                # The schema says whole numbers within the same bounds (drf-spectacular would
                # say "number" for a foreign key).
                low, high = number_filter.extra["min_value"], number_filter.extra["max_value"]
                schema = {"type": "integer", "minimum": low, "maximum": high}
                if number_filter.label:
                    schema["description"] = str(number_filter.label)
                set_override(number_filter, "field", schema)
        return filters


# `properties=` (issue 18) is not a map condition: it checks the names the list then keeps.
MAP_FILTER_BACKENDS = [DistrictFilter, BBoxFilter, NearFilter, PropertiesFilter]
