"""A map query (bbox, near and radius, ordering) answered for any queryset of geographic rows.

`MapQuery` is the parsed request; `map_matches` finds its exact matches: the candidates come from
the indexed bbox columns in SQL (`geodata.map_sql`), then shapely decides exactly on those the
bbox alone cannot answer, reading the geometry of just those, and a radius query measures its
candidates in UTM 48S metres (0 inside a polygon). `map_page` pages the matches for a list (the
selectors `asset_map_page` and `outlet_map_page`); `map_filter` narrows a queryset to them for
callers that need one (exports, detail reads, a list ordered by another field).

Rows whose geometry lives on a related model are queried with a `prefix` (e.g. `"asset__"`).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress
from operator import itemgetter
from typing import Any

from django.db.models import Case, FloatField, QuerySet, Value, When

import numpy as np
import shapely

from geodata.map_sql import (
    BBOX_COLUMNS,
    RADIUS_COLUMNS,
    box_filter,
    candidates,
    candidates_with,
    geometry_texts,
    ids_only,
)
from geodata.spatial import BBox, Near, lonlat_to_utm_array, radius_bbox, stored_polygons

# A feature exactly at the radius is within it; allow for floating-point round trips (1 mm).
RADIUS_TOLERANCE_M = 1e-3
# Orderings a map page applies to the matching ids itself: by id, or by distance from `near`.
MAP_ORDERINGS = ("", "id", "-id", "distance", "-distance")


@dataclass(frozen=True)
class MapQuery:
    """What a map request asks. `district` narrows the queryset as a plain (indexed) filter
    before the query runs; it is here because it makes a list a map query too."""

    bbox: BBox | None = None
    near: Near | None = None
    district: str | None = None
    ordering: str = ""

    @property
    def spatial(self) -> bool:
        """Whether the query has a geometric condition (bbox or near)."""
        return self.bbox is not None or self.near is not None

    @property
    def pages_ids(self) -> bool:
        """Whether a list can page the matching ids itself (a map query in a map ordering)."""
        return (self.spatial or self.district is not None) and self.ordering in MAP_ORDERINGS

    @property
    def by_distance(self) -> bool:
        return self.ordering in ("distance", "-distance")

    @property
    def descending(self) -> bool:
        return self.ordering.startswith("-")


@dataclass(frozen=True)
class MapMatches:
    """The exact matches of a spatial query: `ids` in the query's order (by distance when it
    asks for it, else by id), `distances` in metres with `near`, and how to narrow a queryset
    to them (the bbox prefilters and the candidates that failed the exact test)."""

    ids: list
    distances: dict | None
    boxes: tuple[BBox, ...]
    misses: frozenset


@dataclass(frozen=True)
class MapPage:
    """One page of a map list: `items` (the page's ids, or with `rows` the rows a selector read
    for them), the number of matches in all, and the distances with `near`."""

    items: list
    count: int
    distances: dict | None
    rows: bool = False


def map_matches(
    queryset: QuerySet, query: MapQuery, *, prefix: str = "", misses: bool = True
) -> MapMatches:
    """The rows of the queryset matching the query's bbox and near, exactly; without `misses`
    the near misses it reports may leave out points the index could rule out on its own."""
    ids: list | None = None
    distances = None
    boxes: list[BBox] = []
    missed: set = set()
    if query.bbox is not None:
        ids, outside = _bbox_matches(queryset, prefix, query.bbox)
        boxes.append(query.bbox)
        missed |= outside
    if query.near is not None:
        distances, outside, box = _near_matches(queryset, prefix, query.near, prefilter=not misses)
        if ids is not None:
            kept = set(ids)
            distances = {pk: d for pk, d in distances.items() if pk in kept}
        ids = list(distances)
        boxes.append(box)
        missed |= outside
    return MapMatches(
        ids=_in_order(ids or [], distances, query),
        distances=distances,
        boxes=tuple(boxes),
        misses=frozenset(missed),
    )


def map_page(
    queryset: QuerySet, query: MapQuery, *, limit: int, offset: int, prefix: str = ""
) -> MapPage:
    """One page of the query's matches by id (or distance), with their count: no COUNT query
    and no ordered table walk. Without a spatial condition the ids come from an index alone."""
    distances = None
    if query.spatial:
        matches = map_matches(queryset, query, prefix=prefix, misses=False)
        ids, distances = matches.ids, matches.distances
    else:
        ids = sorted(ids_only(queryset), reverse=query.descending)
    return MapPage(items=ids[offset : offset + limit], count=len(ids), distances=distances)


def map_page_rows(
    queryset: QuerySet,
    query: MapQuery,
    select: tuple[str, ...],
    *,
    limit: int,
    offset: int,
    distances: bool = True,
) -> MapPage | None:
    """`map_page` with the page's rows instead of its ids: each the values of `select` (SQL
    expressions over the table's own columns, the first the primary key), read with the
    candidates in one query. Without `distances` (a caller whose items do not show them) a
    radius page ordered by id carries none: its points are then tested in SQL and no
    coordinates are read.

    Only for a plain queryset (no `prefix`) and one spatial condition (bbox or near) whose
    candidates number at most half as many again as the page reaches (`offset + limit`), which
    holds whenever every match fits on the page: a radius query's square holds 4/pi of its
    circle's points. Otherwise None, and the caller reads ids then rows (`map_page`): the capped
    query was cheap next to the larger one that follows.
    """
    if (query.bbox is None) == (query.near is None) or not select:
        return None
    cap = (offset + limit) * 3 // 2 + 50
    width = len(select)
    metres = None
    if query.bbox is not None:
        box = query.bbox
        # No bbox columns: the query's rows meet the box by their bbox, and those straddling
        # an edge carry their geometry (the row's last value) for the exact test.
        rows = candidates_with(
            queryset, box, (), select, limit=cap + 1, geometry_when=_straddles(box)
        )
        if rows is None or len(rows) > cap:
            return None
        rows = _without_misses(rows, lambda texts: _box_misses(texts, box))
    else:
        near = query.near
        box = radius_bbox(near.lon, near.lat, near.radius_m)
        x, y = utm_origin(near)
        measured = distances or query.by_distance
        reach = near.radius_m + RADIUS_TOLERANCE_M
        # The points are tested in SQL, by their squared distance (`_near_exact` makes the same
        # test, but for rounding in the last bit), so only with distances are their
        # coordinates read.
        rows = candidates_with(
            queryset,
            box,
            RADIUS_COLUMNS if measured else (),
            select,
            limit=cap + 1,
            utm_shapes=True,
            near=(float(x), float(y), reach),
            beyond_only=not measured,
        )
        if rows is None or len(rows) > cap:
            return None
        if measured:
            found = [(row[0], *row[width:]) for row in rows]
            within, _ = _near_exact(found, near)
            rows = [row for row in rows if row[0] in within]
            metres = within
        else:
            # Only the shapes whose point is beyond the radius carry their WKB.
            rows = _without_misses(rows, lambda wkb: _shape_distances(wkb, x, y) > reach)
    if query.by_distance and metres is not None:
        rows.sort(key=lambda row: (metres[row[0]], row[0]), reverse=query.descending)
    else:
        rows.sort(key=itemgetter(0), reverse=query.ordering == "-id")
    page = list(map(itemgetter(slice(0, width)), rows[offset : offset + limit]))
    return MapPage(items=page, count=len(rows), distances=metres, rows=True)


def map_filter(
    queryset: QuerySet, query: MapQuery, *, prefix: str = ""
) -> tuple[QuerySet, dict | None]:
    """The queryset narrowed to the query's exact matches (ranked by distance in SQL when the
    query orders by it), and the distances with `near`.

    The bbox prefilters and an exclusion of the near misses keep the SQL small whatever the
    number of matches (a list of every matching id could pass a database's parameter limit).
    """
    if not query.spatial:
        return queryset, None
    matches = map_matches(queryset, query, prefix=prefix)
    for box in matches.boxes:
        queryset = box_filter(queryset, prefix, box)
    if matches.misses:
        queryset = queryset.exclude(pk__in=sorted(matches.misses))
    if query.by_distance:
        ranks = [When(pk=pk, then=Value(i)) for i, pk in enumerate(matches.ids)]
        queryset = queryset.order_by(Case(*ranks, output_field=FloatField()))
    return queryset, matches.distances


def _in_order(ids: list, distances: dict | None, query: MapQuery) -> list:
    if query.by_distance and distances is not None:
        return sorted(ids, key=lambda pk: (distances[pk], pk), reverse=query.descending)
    return sorted(ids, reverse=query.ordering == "-id")


def _bbox_matches(queryset: QuerySet, prefix: str, box: BBox) -> tuple[list, set]:
    """(matching pks, candidates that missed) for `box`.

    A feature whose bbox lies inside the box surely intersects it; only those straddling an
    edge (polygons) need the exact test, so only their geometry is read.
    """
    rows = candidates(queryset, prefix, box, BBOX_COLUMNS, _straddles(box))
    return _bbox_exact(rows, queryset, prefix, box)


def _straddles(box: BBox) -> tuple[str, list]:
    """The SQL condition (over the bbox columns) of a candidate straddling an edge of `box`."""
    return (
        "({min_lon} < %s OR {max_lon} > %s OR {min_lat} < %s OR {max_lat} > %s)",
        [box.min_lon, box.max_lon, box.min_lat, box.max_lat],
    )


def _bbox_exact(rows: list[tuple], queryset: QuerySet, prefix: str, box: BBox) -> tuple[list, set]:
    """(matching pks, misses) of the candidate rows (pk, *BBOX_COLUMNS, geometry, ...)."""
    count = len(rows)
    pks = list(map(itemgetter(0), rows))
    # the bbox columns as arrays (map and itemgetter walk the rows in C)
    x0, y0, x1, y1 = (np.fromiter(map(itemgetter(i), rows), float, count) for i in range(1, 5))
    outside = (x0 < box.min_lon) | (x1 > box.max_lon) | (y0 < box.min_lat) | (y1 > box.max_lat)
    straddling = [pks[i] for i in np.flatnonzero(outside)]
    if not straddling:
        return pks, set()
    at = 1 + len(BBOX_COLUMNS)  # the extra value, before any columns read with it
    texts = geometry_texts(rows, queryset, prefix, straddling, at)
    misses = set(compress(straddling, _box_misses(texts, box)))
    return [pk for pk in pks if pk not in misses], misses


def _without_misses(rows: list[tuple], missed) -> list[tuple]:
    """The candidate rows less those the exact test `missed` (their last values, those not None,
    to a boolean array: True for a miss) rules out; the other rows need no test."""
    tested = list(compress(rows, map(itemgetter(-1), rows)))  # GeoJSON and WKB are never empty
    if not tested:
        return rows
    misses = set(compress([row[0] for row in tested], missed([row[-1] for row in tested])))
    return [row for row in rows if row[0] not in misses] if misses else rows


def _box_misses(texts: list[str], box: BBox) -> np.ndarray:
    """For each of these straddlers' stored GeoJSON, whether its shape misses `box`."""
    return ~shapely.intersects(stored_polygons(texts), box.polygon)


def _near_matches(
    queryset: QuerySet, prefix: str, near: Near, *, prefilter: bool = False
) -> tuple[dict, set, BBox]:
    """({pk: metres} within the radius, candidates outside it, the radius' bbox); with
    `prefilter` the index leaves out the points beyond the radius (`_within`), which are then
    missing from the candidates outside."""
    box = radius_bbox(near.lon, near.lat, near.radius_m)
    within = _within(near) if prefilter else None
    rows = candidates(queryset, prefix, box, RADIUS_COLUMNS, utm_shapes=True, near=within)
    return (*_near_exact(rows, near), box)


def _within(near: Near) -> tuple[float, float, float]:
    """The SQL prefilter of a radius query (`map_sql.candidates`' `near`): its point in metres
    and a reach a metre beyond the radius, so that rounding in SQL never drops a point the
    exact test (`_near_exact`) keeps."""
    x, y = utm_origin(near)
    return float(x), float(y), near.radius_m + 1.0


def _near_exact(rows: list[tuple], near: Near) -> tuple[dict, set]:
    """({pk: metres} within the radius, the others) of the candidate rows (pk, utm_x, utm_y,
    utm_geometry, ...)."""
    pks, distances = utm_distances(rows, near)
    inside = distances <= near.radius_m + RADIUS_TOLERANCE_M
    within = dict(zip(compress(pks, inside), distances[inside].tolist(), strict=True))
    return within, set(compress(pks, ~inside))


def utm_origin(near: Near) -> np.ndarray:
    """The search point of `near` in UTM 48S metres (x, y)."""
    return lonlat_to_utm_array(np.array([[near.lon, near.lat]]))[0]


def utm_distances(rows: list[tuple[Any, ...]], near: Near) -> tuple[list, np.ndarray]:
    """(pks, metric distances) of the candidate rows (pk, utm_x, utm_y, utm_geometry).

    A point's distance is to its stored UTM coordinates; a shape's to its stored UTM geometry
    (WKB), 0 inside it.
    """
    if not rows:
        return [], np.empty(0)
    count = len(rows)
    # map and itemgetter walk the rows in C, and fromiter builds each array without a list
    xs = np.fromiter(map(itemgetter(1), rows), float, count=count)
    ys = np.fromiter(map(itemgetter(2), rows), float, count=count)
    pks = list(map(itemgetter(0), rows))
    x, y = utm_origin(near)
    distances = np.hypot(xs - x, ys - y)
    wkb = list(map(itemgetter(3), rows))
    shaped = [i for i, shape in enumerate(wkb) if shape is not None]
    if shaped:
        distances[shaped] = _shape_distances([wkb[i] for i in shaped], x, y)
    return pks, distances


def _shape_distances(wkb: list[bytes], x: float, y: float) -> np.ndarray:
    """The metres from (x, y) in UTM 48S to each of these UTM shapes (WKB), 0 inside one."""
    return shapely.distance(shapely.Point(x, y), shapely.from_wkb(wkb))
