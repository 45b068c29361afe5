"""The SQL half of a map query: the indexed bbox prefilter and the geometry reads it needs.

Models queried here carry `geometry` (GeoJSON), `min_lon`, `min_lat`, `max_lon`, `max_lat` (the
bbox, indexed), `utm_x`, `utm_y` (the representative point in UTM 48S metres) and
`utm_geometry` (WKB of a shape in UTM 48S, null for a point). A queryset whose rows keep their
geometry on a related model names it with a `prefix` (e.g. `"asset__"` for outlets).
`geodata.map_query` decides exactly on what these functions read.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from core.db import binary_results, fetch_rows
from geodata.rtree import diagonal_bounds, rtree_table
from geodata.spatial import BBox

BBOX_COLUMNS = ("min_lon", "min_lat", "max_lon", "max_lat")
# The representative point in UTM 48S metres (on the shape: the point itself for a point).
RADIUS_COLUMNS = ("utm_x", "utm_y")
# Degrees below the box's west edge the strip bound leaves for rounding (stored coordinates are
# on a 1e-7 degree grid, so this is far below anything stored).
WIDTH_MARGIN = 1e-9
# Rows read by primary key per query (well below SQLite's limit of bound parameters).
CHUNK = 5000


def box_filter(queryset: QuerySet, prefix: str, box: BBox) -> QuerySet:
    """Rows whose bbox intersects `box` (closed intervals, so a point on the edge is in).

    The indexed bbox columns are ranges, and a btree can bound only one of them from both sides:
    `min_lon <= max_lon(box)` alone would walk every row west of the box. No feature is wider
    than the widest one in the table, so `min_lon >= min_lon(box) - widest` bounds it from below
    too and the index scan covers a strip no wider than the box plus that width. The margin keeps
    floating-point rounding of the subtraction from dropping a feature on the edge.
    """
    widest = _widest(geo_model(queryset.model, prefix), queryset.db)
    p = prefix
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


def geo_model(model, prefix: str):
    """The model holding the geometry columns: the queryset's, or the one `prefix` names."""
    for name in filter(None, prefix.split("__")):
        model = model._meta.get_field(name).related_model
    return model


def candidates(
    queryset: QuerySet,
    prefix: str,
    box: BBox,
    columns: tuple[str, ...] = BBOX_COLUMNS,
    geometry_when: tuple[str, list] | None = None,
    utm_shapes: bool = False,
    near: tuple[float, float, float] | None = None,
) -> list[tuple]:
    """(pk, *columns, extra) of the queryset's rows whose bbox meets `box`; `columns` are fields
    of the bbox index (BBOX_COLUMNS, or RADIUS_COLUMNS). `extra` is, with `utm_shapes`, the
    `utm_geometry` WKB of a shape (None for a point); else the stored GeoJSON text of the rows
    for which `geometry_when` holds (an SQL condition over the bbox columns, written with
    {min_lon}-style names, and its parameters), or None: `geometry_texts` reads the rest.
    `near` (x, y, metres in UTM 48S) is a prefilter: points farther from (x, y) may be left out
    (the plain query leaves them out), so a caller that needs every miss does not pass it.

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
        plain = _plain_where(queryset, prefix)
    except EmptyResultSet:
        return []
    if plain is None:
        return _orm_candidates(queryset, prefix, box, columns, utm_shapes)
    sql, params = _candidate_sql(queryset, box, columns, geometry_when, utm_shapes, plain, (), near)
    return _fetch(queryset.db, sql, params)


def candidates_with(
    queryset: QuerySet,
    box: BBox,
    columns: tuple[str, ...],
    select: tuple[str, ...],
    *,
    limit: int,
    geometry_when: tuple[str, list] | None = None,
    utm_shapes: bool = False,
    near: tuple[float, float, float] | None = None,
    beyond_only: bool = False,
) -> list[tuple] | None:
    """`candidates` that also read `select` (SQL expressions over the table's columns, the
    first of them the primary key), at most `limit` rows (in no order), points beyond `near`
    left out as there; None for a queryset that is not a plain query on the geometry's table,
    whose candidates `candidates` reads through the ORM. Each row is (*select, *columns, extra):
    the select's values first, so that a page is a slice of the row's start. With `near`,
    `utm_shapes` and `beyond_only` a shape's WKB comes only when its point is farther than
    `near`'s metres: a shape holds its point, so the others are within.

    A map page whose matches fit in `limit` is answered from these rows alone: the index scan
    visits just those table rows once, where reading the ids first and the page by id after
    visits them twice (on PostgreSQL the second visit, by an array of ids, cost more than both).
    """
    try:
        plain = _plain_where(queryset, "")
    except EmptyResultSet:
        return []
    if plain is None:
        return None
    sql, params = _candidate_sql(
        queryset, box, columns, geometry_when, utm_shapes, plain, select, near, beyond_only
    )
    return _fetch(queryset.db, f"{sql} LIMIT {int(limit)}", params)


def _fetch(using: str, sql: str, params: list) -> list[tuple]:
    """The rows of a candidate query, in binary where the database can send it."""
    with connections[using].cursor() as cursor:
        binary_results(cursor)
        cursor.execute(sql, params)
        return cursor.fetchall()


def _orm_candidates(queryset, prefix, box, columns, utm_shapes) -> list[tuple]:
    """`candidates` for a queryset that is not a plain query on the geometry's table."""
    fields = [f"{prefix}{c}" for c in columns]
    if utm_shapes:
        fields.append(f"{prefix}utm_geometry")
    values = box_filter(queryset, prefix, box).order_by().values_list("pk", *fields)
    rows = fetch_rows(values, binary=True)
    return rows if utm_shapes else [(*row, None) for row in rows]


def _candidate_sql(
    queryset,
    box,
    columns,
    geometry_when,
    utm_shapes,
    plain,
    select=(),
    near=None,
    beyond_only=False,
) -> tuple[str, list]:
    """The one SQL string (and its parameters) of `candidates` for a plain queryset, or with
    `select` of `candidates_with` (its rows start with the select's values). With `near`
    (x, y, metres in UTM 48S) a point farther than that from (x, y) is left out (shapes are all
    kept: their representative point is not their nearest one)."""
    where, where_params = plain
    quote = connections[queryset.db].ops.quote_name
    meta = queryset.model._meta
    table = quote(meta.db_table)
    names = {c: quote(meta.get_field(c).column) for c in (*BBOX_COLUMNS, *columns)}
    min_lon, min_lat, max_lon, max_lat = (names[c] for c in BBOX_COLUMNS)
    pk = quote(meta.pk.column)
    # With `select` (whose first expression is the primary key) the pk is not read twice.
    selected = ", ".join([*(select or (pk,)), *(names[c] for c in columns)])
    extra, extra_params = "NULL", []
    # With `select` the row is read anyway: its own column, else a subquery by primary key
    # that runs only for the rows needing it.
    row = "" if select else "g."
    utm_geometry = quote(meta.get_field("utm_geometry").column)
    # A shape: its WKB is there (a point has none), or, from the bbox index alone, its latitude
    # span is not 0. A row read anyway is asked the first, which reads two columns fewer.
    shape = f"{utm_geometry} IS NOT NULL" if select else f"{min_lat} < {max_lat}"
    near_params = []
    if near is not None:
        x, y, metres = near
        near_params = [x, x, y, y, metres * metres]  # those of `_squared_distance`, and metres²
    if utm_shapes:
        condition = shape
        column = f"{row}{utm_geometry}"
        if near is not None and beyond_only:
            condition = f"{condition} AND {_squared_distance(meta, quote)} > %s"
            extra_params = list(near_params)
    elif geometry_when is not None:
        condition, extra_params = geometry_when
        condition = condition.format(**names)
        column = f"CAST({row}{quote(meta.get_field('geometry').column)} AS text)"
    if (utm_shapes or geometry_when is not None) and select:
        extra = f"CASE WHEN {condition} THEN {column} END"
    elif utm_shapes or geometry_when is not None:
        extra = (
            f"CASE WHEN {condition} THEN (SELECT {column} "
            f"FROM {table} g WHERE g.{pk} = {table}.{pk}) END"
        )
    width = f"({max_lon} - {min_lon})"
    rtree = rtree_table(queryset.db, meta.db_table) if select else None
    near_sql = ""
    if near is not None:
        near_sql = f" AND ({shape} OR {_squared_distance(meta, quote)} <= %s)"
    if rtree is not None:
        # The R*Tree's boxes hold the bbox rounded outwards (to float32): its candidates are a
        # superset, and the rows are visited in rowid order (the IN list), as a read by primary
        # key visits them. For a bbox the exact bbox conditions on the row decide; for a radius
        # the R*Tree's diagonals cut the square to an octagon, and the distance decides.
        params = [box.max_lon, box.min_lon, box.max_lat, box.min_lat]
        inner = "min_lon <= %s AND max_lon >= %s AND min_lat <= %s AND max_lat >= %s"
        if near is None:
            outer = (
                f" AND {min_lon} <= %s AND {max_lon} >= %s AND {min_lat} <= %s AND {max_lat} >= %s"
            )
            params += params
        else:
            inner += " AND min_u <= %s AND max_u >= %s AND min_v <= %s AND max_v >= %s"
            params += diagonal_bounds(*near)
            outer = ""
        sql = (
            f"SELECT {selected}, {extra} FROM {table} WHERE {pk} IN (SELECT id FROM "
            f"{quote(rtree)} WHERE {inner}){outer}{near_sql}"
        )
        params += near_params
    else:
        sql = (
            f"SELECT {selected}, {extra} "
            f"FROM {table} WHERE {min_lon} <= %s AND {max_lon} >= %s AND {min_lat} <= %s "
            f"AND {max_lat} >= %s AND {min_lon} >= %s - "
            f"(SELECT {width} FROM {table} ORDER BY {width} DESC LIMIT 1){near_sql}"
        )
        params = [box.max_lon, box.min_lon, box.max_lat, box.min_lat, box.min_lon - WIDTH_MARGIN]
        params += near_params
    if where:
        sql = f"{sql} AND ({where})"
    return sql, [*extra_params, *params, *where_params]


def _squared_distance(meta, quote) -> str:
    """The SQL of a row's squared distance in metres from a point (x, y, x, y: its parameters)."""
    utm_x, utm_y = (quote(meta.get_field(c).column) for c in RADIUS_COLUMNS)
    return f"(({utm_x} - %s) * ({utm_x} - %s) + ({utm_y} - %s) * ({utm_y} - %s))"


def _plain_where(queryset: QuerySet, prefix: str) -> tuple[str, list] | None:
    """The queryset's WHERE as SQL over its own table ("" for none), or None when it is not a
    plain query on the table holding the geometry (joins, aggregates, slices, ...). Raises
    EmptyResultSet when it can match nothing."""
    query = queryset.query
    if (
        prefix
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


def geometry_texts(
    rows: list[tuple], queryset: QuerySet, prefix: str, pks: list, at: int = -1
) -> list[str]:
    """The stored GeoJSON text of each of these candidates, in order: from the candidate rows
    (their column `at`, the extra value) where they carry it, else read by primary key."""
    wanted = set(pks)
    found: dict[Any, str] = {
        row[0]: row[at] for row in rows if row[at] is not None and row[0] in wanted
    }
    missing = [pk for pk in pks if pk not in found]
    if missing:
        found.update(_geometries(queryset, prefix, missing))
    return [found[pk] for pk in pks]


def _geometries(queryset: QuerySet, prefix: str, pks: list) -> dict:
    """{pk: stored GeoJSON text} for these rows of the queryset's model, by primary key: for
    candidates the candidate query did not carry it for (those of a queryset the ORM built,
    e.g. outlets through their asset)."""
    found: dict = {}
    manager = queryset.model._base_manager.using(queryset.db)
    text = Cast(f"{prefix}geometry", TextField())
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        rows = manager.filter(pk__in=chunk).order_by().values_list("pk", text)
        found.update(fetch_rows(rows, binary=True))
    return found


def ids_only(queryset: QuerySet) -> list:
    """The queryset's primary keys, read without ORDER BY so the database answers from an index
    alone (SQLite would otherwise walk the whole table in id order looking for a few matches)."""
    return [pk for (pk,) in fetch_rows(queryset.order_by().values_list("pk"), binary=True)]
