"""Map and district filter backends shared by every geographic list (assets, outlets, ...).

Each backend has DRF's shape: its query parameter as a class attribute, view configuration read
with `getattr(view, ...)`, a 400 naming the parameter on bad input, and schema parameters for
OpenAPI. A view whose rows keep their geometry on a related model sets `geo_prefix`
(e.g. `"asset__"` for outlets). Models carry `geometry` (GeoJSON), `min_lon`, `min_lat`,
`max_lon`, `max_lat` (bbox), `utm_x`, `utm_y` (the representative point in UTM 48S metres) and
`utm_geometry` (WKB of a shape in UTM 48S, null for a point), plus `kecamatan` and `kelurahan`
foreign keys to District codes.

A map query reads its candidates with the indexed bbox columns in SQL (`_candidates`), then
decides exactly with shapely on those whose answer the bbox alone cannot give, reading the
geometry of just those. The exact matches are left on `request.geo_ids` (and distances on
`request.geo_distances`); a second map filter in the same request keeps only the ids the first
one left. A view whose `pages_geo_ids` is true (`GeoIdsPagingMixin`) pages those ids itself; for
it the queryset is returned as it came (narrowing it, excluding the near misses and ranking by
distance in SQL would be wasted). For any other view the queryset is exact and ranked.
"""

from __future__ import annotations

from itertools import chain, compress

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import Case, FloatField, QuerySet, TextField, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from django_filters.utils import get_model_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend, OrderingFilter

import numpy as np
import shapely

from api.fields import integer_bounds, integer_range
from core.db import binary_results, fetch_rows
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
    query: as a subquery inside a query the ORM builds it cost more to build than to run.
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


BBOX_COLUMNS = ("min_lon", "min_lat", "max_lon", "max_lat")
# The representative point in UTM 48S metres (on the shape: the point itself for a point).
RADIUS_COLUMNS = ("utm_x", "utm_y")


def _candidates(
    queryset: QuerySet, p: str, box, columns=BBOX_COLUMNS, geometry_when=None, utm_shapes=False
) -> list[tuple]:
    """(pk, *columns, extra) of the queryset's rows whose bbox meets `box`; `columns` are fields
    of the bbox index (BBOX_COLUMNS, or RADIUS_COLUMNS). `extra` is, with `utm_shapes`, the
    `utm_geometry` WKB of a shape (None for a point); else the stored GeoJSON text of the rows
    for which `geometry_when` holds (an SQL condition over the bbox columns, written with
    {min_lon}-style names, and its parameters), or None: `_geometry_texts` reads the rest.

    For rows that keep their geometry on their own table and a query on that table alone (the
    usual map request, narrowed perhaps by district or use), one SQL string: the queryset's own
    WHERE plus the bbox conditions, with the widest-feature bound as a scalar subquery. It reads
    only the bbox index (on PostgreSQL it INCLUDEs the id, so no table row is visited); the
    extra value comes from a subquery by primary key, which runs only for the rows that need
    it (a shape's latitude span is never 0, a point's always is). Building it through the ORM
    would cost more than running it. Otherwise the ORM builds it, with the UTM shape (the join
    visits the rows anyway) but without the GeoJSON.
    """
    try:
        plain = _plain_where(queryset, p)
    except EmptyResultSet:
        return []
    if plain is None:
        fields = [f"{p}{c}" for c in columns]
        if utm_shapes:
            fields.append(f"{p}utm_geometry")
        values = _box_filter(p, box, queryset).order_by().values_list("pk", *fields)
        rows = fetch_rows(values, binary=True)
        return rows if utm_shapes else [(*row, None) for row in rows]
    where, where_params = plain
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    meta = queryset.model._meta
    table = quote(meta.db_table)
    names = {c: quote(meta.get_field(c).column) for c in (*BBOX_COLUMNS, *columns)}
    min_lon, min_lat, max_lon, max_lat = (names[c] for c in BBOX_COLUMNS)
    pk = quote(meta.pk.column)
    selected = ", ".join([pk, *(names[c] for c in columns)])
    extra, extra_params = "NULL", []
    if utm_shapes:
        condition, column = f"{min_lat} < {max_lat}", quote(meta.get_field("utm_geometry").column)
    elif geometry_when is not None:
        condition, extra_params = geometry_when
        condition = condition.format(**names)
        column = f"CAST(g.{quote(meta.get_field('geometry').column)} AS text)"
    if utm_shapes or geometry_when is not None:
        extra = (
            f"CASE WHEN {condition} THEN (SELECT {column} "
            f"FROM {table} g WHERE g.{pk} = {table}.{pk}) END"
        )
    width = f"({max_lon} - {min_lon})"
    sql = (
        f"SELECT {selected}, {extra} "
        f"FROM {table} WHERE {min_lon} <= %s AND {max_lon} >= %s AND {min_lat} <= %s "
        f"AND {max_lat} >= %s AND {min_lon} >= %s - "
        f"(SELECT {width} FROM {table} ORDER BY {width} DESC LIMIT 1)"
    )
    if where:
        sql = f"{sql} AND ({where})"
    params = [box.max_lon, box.min_lon, box.max_lat, box.min_lat, box.min_lon - WIDTH_MARGIN]
    with connection.cursor() as cursor:
        binary_results(cursor)
        cursor.execute(sql, [*extra_params, *params, *where_params])
        return cursor.fetchall()


def _plain_where(queryset: QuerySet, p: str) -> tuple[str, list] | None:
    """The queryset's WHERE as SQL over its own table ("" for none), or None when it is not a
    plain query on the table holding the geometry (joins, aggregates, slices, ...). Raises
    EmptyResultSet when it can match nothing."""
    query = queryset.query
    if (
        p
        or len(query.alias_map) > 1
        or query.annotations
        or query.extra
        or query.distinct
        or query.combinator
        or query.is_sliced
        or query.group_by is not None
    ):
        return None
    try:
        where, params = query.get_compiler(queryset.db).compile(query.where)
    except FullResultSet:
        return "", []
    return where, list(params)


def _geometries(queryset: QuerySet, p: str, pks: list) -> dict:
    """{pk: stored GeoJSON text} for these rows of the queryset's model, by primary key: for
    candidates the candidate query did not carry it for (those of a queryset the ORM built,
    e.g. outlets through `geo_prefix`)."""
    found: dict = {}
    manager = queryset.model._base_manager.using(queryset.db)
    for start in range(0, len(pks), 5000):
        chunk = pks[start : start + 5000]
        rows = manager.filter(pk__in=chunk).order_by().values_list("pk", _text(p, "geometry"))
        found.update(fetch_rows(rows, binary=True))
    return found


def _geometry_texts(rows, queryset: QuerySet, p: str, pks: list) -> list[str]:
    """The stored GeoJSON text of each of these candidates, in order: from the candidate rows
    (their last column) where they carry it, else read by primary key."""
    wanted = set(pks)
    found = {row[0]: row[-1] for row in rows if row[-1] is not None and row[0] in wanted}
    missing = [pk for pk in pks if pk not in found]
    if missing:
        found.update(_geometries(queryset, p, missing))
    return [found[pk] for pk in pks]


def utm_origin(near) -> np.ndarray:
    """The search point of `near` in UTM 48S metres (x, y)."""
    return lonlat_to_utm_array(np.array([[near.lon, near.lat]]))[0]


def _keep_prior(request, pks):
    """`pks` less any that an earlier map filter of this request left out."""
    prior = getattr(request, "geo_ids", None)
    if prior is None:
        return pks
    prior = set(prior)
    return [pk for pk in pks if pk in prior]


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
        # A feature whose bbox lies inside the box surely intersects it; only those straddling
        # an edge (polygons) need the exact test, so only their geometry is read.
        straddles = (
            "({min_lon} < %s OR {max_lon} > %s OR {min_lat} < %s OR {max_lat} > %s)",
            [box.min_lon, box.max_lon, box.min_lat, box.max_lat],
        )
        rows = _candidates(queryset, p, box, BBOX_COLUMNS, straddles)
        straddling = [
            pk
            for pk, x0, y0, x1, y1, _geometry in rows
            if x0 < box.min_lon or x1 > box.max_lon or y0 < box.min_lat or y1 > box.max_lat
        ]
        misses: set = set()
        if straddling:
            shapes = stored_polygons(_geometry_texts(rows, queryset, p, straddling))
            hits = shapely.intersects(shapes, box.polygon)
            misses = set(compress(straddling, ~hits))
        request.geo_ids = _keep_prior(request, [row[0] for row in rows if row[0] not in misses])
        if _pages_geo_ids(view):
            return queryset
        queryset = _box_filter(p, box, queryset)
        if misses:
            queryset = queryset.exclude(pk__in=sorted(misses))
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
    The candidates in the radius' bbox come from the bbox index with their representative
    points in UTM 48S, and the shapes among them with their stored UTM geometry (see
    `_distances`). The distances are left on `request.geo_distances` for serializers
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
        box = radius_bbox(near.lon, near.lat, near.radius_m)
        rows = _candidates(queryset, p, box, RADIUS_COLUMNS, utm_shapes=True)
        pks, distances = self._distances(rows, near)
        inside = distances <= near.radius_m + RADIUS_TOLERANCE_M
        within = dict(zip(compress(pks, inside), distances[inside].tolist(), strict=True))
        kept = _keep_prior(request, list(within))
        if len(kept) < len(within):
            within = {pk: within[pk] for pk in kept}
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
        queryset = _box_filter(p, box, queryset)
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
    def _distances(rows, near):
        """(pks, metric distances) of the candidate rows (pk, utm_x, utm_y, utm_geometry).

        A point's distance is to its stored UTM coordinates; a shape's to its stored UTM
        geometry (WKB), 0 inside it.
        """
        if not rows:
            return [], np.empty(0)
        count = len(rows)
        # fromiter builds the array without a list per row
        columns = chain.from_iterable(row[1:3] for row in rows)
        xy = np.fromiter(columns, float, count=2 * count).reshape(count, 2)
        pks = [row[0] for row in rows]
        x, y = utm_origin(near)
        distances = np.hypot(xy[:, 0] - x, xy[:, 1] - y)
        shaped = [i for i, row in enumerate(rows) if row[3] is not None]
        if shaped:
            shapes = shapely.from_wkb([rows[i][3] for i in shaped])
            distances[shaped] = shapely.distance(shapely.Point(x, y), shapes)
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
        return filters


MAP_FILTER_BACKENDS = [DistrictFilter, BBoxFilter, NearFilter]
