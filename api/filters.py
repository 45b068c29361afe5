"""Map and district filter backends shared by every geographic list (assets, outlets, ...).

Each backend has DRF's shape: its query parameter as a class attribute, view configuration read
with `getattr(view, ...)`, a 400 naming the parameter on bad input, and schema parameters for
OpenAPI. A view whose rows keep their geometry on a related model sets `geo_prefix`
(e.g. `"asset__"` for outlets). Models carry `geometry` (GeoJSON), `min_lon`, `min_lat`,
`max_lon`, `max_lat` (bbox) and `lon`, `lat` (representative point), plus `kecamatan` and
`kelurahan` foreign keys to District codes.

A map query narrows with the indexed bbox columns in SQL, then decides exactly with shapely on the
candidates whose answer the bbox alone cannot give.
"""

from __future__ import annotations

import orjson
from django.db.models import Case, FloatField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend, OrderingFilter

import numpy as np
import shapely

from geodata.models import District
from geodata.spatial import (
    GeometryError,
    lonlat_to_utm_array,
    parse_bbox,
    parse_near,
    radius_bbox,
)

UNKNOWN_DISTRICT = _("Unknown district code {code!r}: use a Depok kecamatan or kelurahan code.")
DISTANCE_NEEDS_NEAR = _("Ordering by distance needs near=lon,lat and radius.")
UNKNOWN_ORDERING = _("Cannot order by {field!r}; use one of: {allowed}.")
# A feature exactly at the radius is within it; allow for floating-point round trips (1 mm).
RADIUS_TOLERANCE_M = 1e-3


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


def _geometries(values) -> np.ndarray:
    return shapely.from_geojson([_as_json(v) for v in values])


def _as_json(value) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


class BBoxFilter(BaseFilterBackend):
    """`bbox=minLon,minLat,maxLon,maxLat`: features whose geometry intersects the box."""

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
        # Bounding boxes intersect (closed intervals, so a point on the edge is in).
        queryset = queryset.filter(
            **{
                f"{p}min_lon__lte": box.max_lon,
                f"{p}max_lon__gte": box.min_lon,
                f"{p}min_lat__lte": box.max_lat,
                f"{p}max_lat__gte": box.min_lat,
            }
        )
        # A feature whose bbox lies inside the box surely intersects it; only those straddling
        # an edge (polygons) need the exact test.
        inside = Q(
            **{
                f"{p}min_lon__gte": box.min_lon,
                f"{p}max_lon__lte": box.max_lon,
                f"{p}min_lat__gte": box.min_lat,
                f"{p}max_lat__lte": box.max_lat,
            }
        )
        straddling = list(queryset.exclude(inside).values_list("pk", f"{p}geometry"))
        if not straddling:
            return queryset
        geoms = _geometries([g for _, g in straddling])
        hits = shapely.intersects(geoms, box.polygon)
        misses = [pk for (pk, _), hit in zip(straddling, hits, strict=True) if not hit]
        return queryset.exclude(pk__in=misses) if misses else queryset

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
    The distances are left on `request.geo_distances` for serializers (`distance_m`).
    """

    near_param = "near"
    radius_param = "radius"
    ordering_param = "ordering"

    def filter_queryset(self, request, queryset: QuerySet, view) -> QuerySet:
        near_value = request.query_params.get(self.near_param)
        ordering = request.query_params.get(self.ordering_param, "")
        wants_distance = ordering.strip() in {"distance", "-distance"}
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
        queryset = queryset.filter(
            **{
                f"{p}min_lon__lte": box.max_lon,
                f"{p}max_lon__gte": box.min_lon,
                f"{p}min_lat__lte": box.max_lat,
                f"{p}max_lat__gte": box.min_lat,
            }
        )
        rows = list(
            queryset.values_list(
                "pk",
                f"{p}min_lon",
                f"{p}max_lon",
                f"{p}min_lat",
                f"{p}max_lat",
                f"{p}lon",
                f"{p}lat",
            )
        )
        distances = self._distances(queryset, rows, near, p)
        within = {pk: d for pk, d in distances.items() if d <= near.radius_m + RADIUS_TOLERANCE_M}
        request.geo_distances = within
        queryset = queryset.filter(pk__in=list(within)) if len(within) < len(rows) else queryset
        if wants_distance:
            ranked = sorted(
                within, key=lambda pk: (within[pk], pk), reverse=ordering.strip() == "-distance"
            )
            queryset = queryset.order_by(
                Case(
                    *[When(pk=pk, then=Value(i)) for i, pk in enumerate(ranked)],
                    output_field=FloatField(),
                )
            )
        return queryset

    @staticmethod
    def _distances(queryset, rows, near, p) -> dict:
        """Metric distances: points from their columns, other shapes from their geometry."""
        if not rows:
            return {}
        origin = lonlat_to_utm_array(np.array([[near.lon, near.lat]]))[0]
        is_point = [r[1] == r[2] and r[3] == r[4] for r in rows]
        out: dict = {}
        point_rows = [r for r, pt in zip(rows, is_point, strict=True) if pt]
        if point_rows:
            xy = lonlat_to_utm_array(np.array([[r[5], r[6]] for r in point_rows], dtype=float))
            d = np.hypot(xy[:, 0] - origin[0], xy[:, 1] - origin[1])
            out.update({r[0]: float(v) for r, v in zip(point_rows, d, strict=True)})
        shape_pks = [r[0] for r, pt in zip(rows, is_point, strict=True) if not pt]
        if shape_pks:
            pairs = list(queryset.filter(pk__in=shape_pks).values_list("pk", f"{p}geometry"))
            geoms = shapely.transform(_geometries([g for _, g in pairs]), lonlat_to_utm_array)
            d = shapely.distance(shapely.Point(*origin), geoms)
            out.update({pk: float(v) for (pk, _), v in zip(pairs, d, strict=True)})
        return out

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
        level = District.objects.filter(code=code.strip()).values_list("level", flat=True).first()
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
