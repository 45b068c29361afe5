"""Map and district filter backends shared by every geographic list (assets, outlets, ...).

Each backend has DRF's shape: its query parameter as a class attribute, view configuration read
with `getattr(view, ...)`, a 400 naming the parameter on bad input, and schema parameters for
OpenAPI. A view whose rows keep their geometry on a related model sets `geo_prefix`
(e.g. `"asset__"` for outlets). Models carry `geometry` (GeoJSON), `min_lon`, `min_lat`,
`max_lon`, `max_lat` (bbox) and `lon`, `lat` (representative point), plus `kecamatan` and
`kelurahan` foreign keys to District codes.

A map query narrows with the indexed bbox columns in SQL, then decides exactly with shapely on the
candidates whose answer the bbox alone cannot give. The exact matches are left on
`request.geo_ids` (and distances on `request.geo_distances`). A view whose `pages_geo_ids` is
true (`GeoIdsPagingMixin`) pages those ids itself; for it the returned queryset is only the
indexed prefilter (building an exclusion list of the near misses and a distance ranking in SQL
would be wasted). For any other view the queryset is exact and ranked.
"""

from __future__ import annotations

from itertools import compress

from django.db import connections
from django.db.models import Case, F, FloatField, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend, OrderingFilter

import numpy as np
import shapely

from core.db import fetch_rows
from geodata import boundaries
from geodata.spatial import (
    GeometryError,
    lonlat_to_utm_array,
    parse_bbox,
    parse_near,
    radius_bbox,
    stored_polygons,
)

UNKNOWN_DISTRICT = _("Unknown district code {code!r}: use a Depok kecamatan or kelurahan code.")
DISTANCE_NEEDS_NEAR = _("Ordering by distance needs near=lon,lat and radius.")
UNKNOWN_ORDERING = _("Cannot order by {field!r}; use one of: {allowed}.")
# A feature exactly at the radius is within it; allow for floating-point round trips (1 mm).
RADIUS_TOLERANCE_M = 1e-3
# Degrees below the box's west edge the strip bound leaves for rounding (stored coordinates are
# on a 1e-7 degree grid, so this is far below anything stored).
WIDTH_MARGIN = 1e-9


def _raise(exc: GeometryError, default_param: str):
    raise ValidationError({exc.param or default_param: [exc.message]})


def _prefix(view) -> str:
    return getattr(view, "geo_prefix", "")


def geo_distance(request, pk) -> float | None:
    """The distance in metres NearFilter computed for row `pk` in this request, if any."""
    distances = getattr(request, "geo_distances", None)
    if distances is None:
        return None
    return distances.get(pk)


def _param_schema(name: str, description: str, *, schema_type: str = "string") -> dict:
    return {
        "name": name,
        "required": False,
        "in": "query",
        "description": str(description),
        "schema": {"type": schema_type},
    }


def _box_filter(p: str, box, queryset: QuerySet) -> QuerySet:
    """Rows whose bbox intersects `box` (closed intervals, so a point on the edge is in).

    The indexed bbox columns are ranges, and a btree can bound only one of them from both sides:
    `min_lon <= max_lon(box)` alone would walk every row west of the box. No feature is wider
    than the widest one in the table, so `min_lon >= min_lon(box) - widest` bounds it from below
    too and the index scan covers a strip no wider than the box plus that width. The margin keeps
    floating-point rounding of the subtraction from dropping a feature on the edge.
    """
    widest = _widest(_geo_model(queryset.model, p), queryset.db)
    return queryset.filter(
        **{
            f"{p}min_lon__lte": box.max_lon,
            f"{p}max_lon__gte": box.min_lon,
            f"{p}min_lat__lte": box.max_lat,
            f"{p}max_lat__gte": box.min_lat,
            f"{p}min_lon__gte": box.min_lon - WIDTH_MARGIN - widest,
        }
    )


def _widest(model, using: str) -> float:
    """The widest feature's longitude span (0 for an empty table).

    One probe of the expression index `max_lon - min_lon` (`asset_width_idx`), as its own raw
    query: as a subquery inside the map query it cost more to build per request than to run.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    width = f"({quote('max_lon')} - {quote('min_lon')})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {width} FROM {quote(model._meta.db_table)} ORDER BY {width} DESC LIMIT 1"
        )
        row = cursor.fetchone()
    return row[0] if row else 0.0


def _pages_geo_ids(view) -> bool:
    """Whether the view pages `request.geo_ids` itself (see the module docstring)."""
    return bool(getattr(view, "pages_geo_ids", False))


# Orderings a list can apply to the map filters' ids itself: by id, or by the distance NearFilter
# ranked them by.
MAP_ORDERINGS = ("", "id", "-id", "distance", "-distance")


class GeoIdsPagingMixin:
    """For a viewset whose `list` pages `request.geo_ids` itself when the ordering allows it.

    `pages_geo_ids` (read by the map filters) and the view's `list` decide from the same
    `map_ordering`, so the filters never leave the queryset inexact for a list that reads it.
    """

    def map_ordering(self) -> str | None:
        """The request's ordering when `list` can apply it to the ids itself, else None."""
        ordering = self.request.query_params.get("ordering", "").strip()
        return ordering if ordering in MAP_ORDERINGS else None

    @property
    def pages_geo_ids(self) -> bool:
        return self.action == "list" and self.map_ordering() is not None


def _geo_model(model, prefix: str):
    """The model holding the geometry columns: the view's model, or the one `geo_prefix` names."""
    for name in filter(None, prefix.split("__")):
        model = model._meta.get_field(name).related_model
    return model


def _text(p: str, field: str):
    return Cast(f"{p}{field}", TextField())


class BBoxFilter(BaseFilterBackend):
    """`bbox=minLon,minLat,maxLon,maxLat`: features whose geometry intersects the box.

    One SQL query reads the candidates (the bbox prefilter) with the geometry of just those
    whose bbox straddles an edge of the box, which shapely then decides exactly. The matching
    pks are left on `request.geo_ids` so that a view can page them without querying again.
    """

    bbox_param = "bbox"

    def filter_queryset(self, request, queryset: QuerySet, view) -> QuerySet:
        value = request.query_params.get(self.bbox_param)
        if value is None:
            return queryset
        try:
            box = parse_bbox(value, param=self.bbox_param)
        except GeometryError as exc:
            _raise(exc, self.bbox_param)
        p = _prefix(view)
        queryset = _box_filter(p, box, queryset)
        # A feature whose bbox lies inside the box surely intersects it; only those straddling
        # an edge (polygons) need the exact test, so only their geometry is read.
        inside = Q(
            **{
                f"{p}min_lon__gte": box.min_lon,
                f"{p}max_lon__lte": box.max_lon,
                f"{p}min_lat__gte": box.min_lat,
                f"{p}max_lat__lte": box.max_lat,
            }
        )
        rows = fetch_rows(
            queryset.order_by().values_list(
                "pk",
                Case(When(inside, then=Value(None)), default=_text(p, "geometry")),
            )
        )
        straddling = [(pk, g) for pk, g in rows if g is not None]
        if not straddling:
            request.geo_ids = [pk for pk, _ in rows]
            return queryset
        hits = shapely.intersects(stored_polygons([g for _, g in straddling]), box.polygon)
        misses = {pk for (pk, _), hit in zip(straddling, hits, strict=True) if not hit}
        request.geo_ids = [pk for pk, _ in rows if pk not in misses]
        if misses and not _pages_geo_ids(view):
            return queryset.exclude(pk__in=sorted(misses))
        return queryset

    def get_schema_operation_parameters(self, view):
        return [
            _param_schema(
                self.bbox_param,
                _("minLon,minLat,maxLon,maxLat (EPSG:4326): features intersecting the box."),
            )
        ]


class NearFilter(BaseFilterBackend):
    """`near=lon,lat&radius=metres`: features within that distance; `ordering=distance`.

    The distance is from the point to the geometry in metres (UTM 48S), 0 inside a polygon.
    One SQL query reads the candidates in the radius' bbox, with the geometry of just those
    that are not points. The distances are left on `request.geo_distances` for serializers
    (`distance_m`), and the matching pks (by id, or by distance with `ordering=distance`) on
    `request.geo_ids`.
    """

    near_param = "near"
    radius_param = "radius"
    ordering_param = "ordering"

    def filter_queryset(self, request, queryset: QuerySet, view) -> QuerySet:
        near_value = request.query_params.get(self.near_param)
        ordering = request.query_params.get(self.ordering_param, "").strip()
        wants_distance = ordering in {"distance", "-distance"}
        if near_value is None:
            if request.query_params.get(self.radius_param) is not None:
                raise ValidationError(
                    {self.near_param: [str(_("near=lon,lat is required with radius."))]}
                )
            if wants_distance:
                raise ValidationError({self.ordering_param: [str(DISTANCE_NEEDS_NEAR)]})
            return queryset
        try:
            near = parse_near(
                near_value,
                request.query_params.get(self.radius_param),
                near_param=self.near_param,
                radius_param=self.radius_param,
            )
        except GeometryError as exc:
            _raise(exc, self.near_param)
        p = _prefix(view)
        queryset = _box_filter(p, radius_bbox(near.lon, near.lat, near.radius_m), queryset)
        # A point's bbox is the point itself: its distance needs only the indexed bbox columns;
        # other shapes are measured from their geometry.
        point = Q(**{f"{p}min_lon": F(f"{p}max_lon"), f"{p}min_lat": F(f"{p}max_lat")})
        rows = fetch_rows(
            queryset.order_by().values_list(
                "pk",
                f"{p}min_lon",
                f"{p}min_lat",
                Case(When(point, then=Value(None)), default=_text(p, "geometry")),
            )
        )
        pks, distances = self._distances(rows, near)
        inside = distances <= near.radius_m + RADIUS_TOLERANCE_M
        within = dict(zip(compress(pks, inside), distances[inside].tolist(), strict=True))
        request.geo_distances = within
        if wants_distance:
            ranked = sorted(
                within, key=lambda pk: (within[pk], pk), reverse=ordering == "-distance"
            )
            request.geo_ids = ranked
        else:
            request.geo_ids = list(within)
        if _pages_geo_ids(view):
            return queryset
        outside = sorted(compress(pks, ~inside))
        if outside:
            queryset = queryset.exclude(pk__in=outside)
        if wants_distance:
            # The view pages the queryset: the ranking has to be in SQL.
            queryset = queryset.order_by(
                Case(
                    *[When(pk=pk, then=Value(i)) for i, pk in enumerate(ranked)],
                    output_field=FloatField(),
                )
            )
        return queryset

    @staticmethod
    def _distances(rows, near) -> tuple[tuple, np.ndarray]:
        """(pks, metric distances): points from their bbox columns, other shapes from their
        geometry, each projected to UTM 48S in one call."""
        if not rows:
            return (), np.empty(0)
        pks, lons, lats, shapes = zip(*rows, strict=True)
        origin = lonlat_to_utm_array(np.array([[near.lon, near.lat]]))[0]
        xy = lonlat_to_utm_array(np.column_stack([lons, lats]).astype(float))
        distances = np.hypot(xy[:, 0] - origin[0], xy[:, 1] - origin[1])
        shaped = [i for i, g in enumerate(shapes) if g is not None]
        if shaped:
            geoms = stored_polygons([shapes[i] for i in shaped], project=True)
            distances[shaped] = shapely.distance(shapely.Point(*origin), geoms)
        return pks, distances

    def get_schema_operation_parameters(self, view):
        return [
            _param_schema(self.near_param, _("lon,lat of the search point (EPSG:4326).")),
            _param_schema(
                self.radius_param,
                _("Search radius in metres (required with near, at most 50000)."),
                schema_type="number",
            ),
        ]


class DistrictFilter(BaseFilterBackend):
    """`district=<code>`: a kecamatan (e.g. 32.76.06) or kelurahan (32.76.06.1001) code."""

    district_param = "district"

    def filter_queryset(self, request, queryset: QuerySet, view) -> QuerySet:
        code = request.query_params.get(self.district_param)
        if code is None:
            return queryset
        level = boundaries.levels().get(code.strip())
        if level is None:
            raise ValidationError({self.district_param: [str(UNKNOWN_DISTRICT).format(code=code)]})
        return queryset.filter(**{f"{_prefix(view)}{level}_id": code.strip()})

    def get_schema_operation_parameters(self, view):
        return [_param_schema(self.district_param, _("Kemendagri kecamatan or kelurahan code."))]


class StrictOrderingFilter(OrderingFilter):
    """DRF's OrderingFilter, but an unknown field is a 400 naming `ordering`, not ignored.

    `distance` / `-distance` are left to NearFilter.
    """

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if not params:
            return self.get_default_ordering(view)
        fields = [f.strip() for f in params.split(",") if f.strip()]
        near_enabled = NearFilter in getattr(view, "filter_backends", ())
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
        extra = ["distance"] if NearFilter in getattr(view, "filter_backends", ()) else []
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


MAP_FILTER_BACKENDS = [DistrictFilter, BBoxFilter, NearFilter]
