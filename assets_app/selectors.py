"""Reads of the asset register: the base list, the plain-value rows the API and exports serve,
and an asset's history with what changed in each step.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from assets_app.fields import ASSET_FIELDS, FIELDS_BY_NAME
from assets_app.fields import names as field_names
from assets_app.history import asset_history_changes, history_names, json_value
from assets_app.models import Asset, Reclassification
from geodata.map_query import MapPage, MapQuery, map_page, map_page_rows
from geodata.rtree import rtree_table

# What the API shows of an asset, in order (the API's asset fields plus the KIB register's).
OUTPUT_FIELDS = field_names(output=True)
# Model attribute per output name where they differ.
_COLUMNS = {f.name: f.column for f in ASSET_FIELDS if f.output and f.column != f.name}
# Columns the database formats as `json_value` prints times.
_TIME_COLUMNS = frozenset(
    FIELDS_BY_NAME[name].column for name in field_names(output=True, kinds=("datetime",))
)


def asset_list(*, filters: dict[str, Any] | None = None) -> QuerySet[Asset]:
    """All assets (ordered by id), optionally narrowed by plain field lookups."""
    queryset = Asset.objects.all()
    if filters:
        queryset = queryset.filter(**filters)
    return queryset


# Where a map page is read with its candidates when it can (`map_page_rows`). PostgreSQL's
# bitmap scan visits each matching row once (the page by an array of ids cost more than the
# candidates and the page together). SQLite does so where the asset table has its R*Tree
# (`geodata.rtree`): the candidates' rows are then visited in rowid order, as a read by primary
# key visits them; through the btree bbox index (no R*Tree) it reads the ids first.
ROWS_WITH_CANDIDATES = frozenset({"postgresql"})


def asset_map_page(
    queryset: QuerySet[Asset],
    query: MapQuery,
    *,
    limit: int,
    offset: int,
    fields: tuple[str, ...] | None = None,
    distances: bool = True,
) -> MapPage:
    """One page of a map query over these assets, with the number of matches: the page's
    `items` are the asset ids in order (`asset_output_rows` reads them), or with `fields`
    (output names), where one query can answer the page (ROWS_WITH_CANDIDATES, or SQLite with
    the R*Tree), its rows as `asset_output_rows` gives them (`page.rows`). Without
    `distances` (items that do not show them) a radius page read so carries none."""
    if fields is not None and (
        connection.vendor in ROWS_WITH_CANDIDATES
        or rtree_table(queryset.db, Asset._meta.db_table) is not None
    ):
        select = output_select(fields)
        page = map_page_rows(
            queryset, query, select, limit=limit, offset=offset, distances=distances
        )
        if page is not None:
            return replace(page, items=output_decoded(page.items, fields))
    return map_page(queryset, query, limit=limit, offset=offset)


def output_select(fields: tuple[str, ...]) -> tuple[str, ...]:
    """The SQL expressions `asset_output_rows` reads for these output names."""
    return _output_select(connection.vendor, fields)


def output_decoded(rows: list[tuple], fields: tuple[str, ...]) -> list[tuple]:
    """Rows read with `output_select(fields)` as `asset_output_rows` gives them."""
    return _decoded(rows, connection.vendor, fields)


def asset_output_rows(ids: list[int], fields: tuple[str, ...] | None = None) -> list[tuple]:
    """The OUTPUT_FIELDS values of these assets (or just `fields`, output names in the order
    wanted: `properties=` reads only what it answers), in the order given, ready for JSON.

    One plain SQL query by primary key: the values come as `json_value` would show them
    (times in UTC with Z, dates ISO, decimals as strings, booleans as booleans) and the geometry
    as its stored GeoJSON text, without the ORM's per-value converters and model instances.
    Unknown ids are left out.
    """
    if not ids:
        return []
    vendor = connection.vendor
    table = connection.ops.quote_name(Asset._meta.db_table)
    fields = OUTPUT_FIELDS if fields is None else tuple(fields)
    columns = ", ".join(_output_select(vendor, fields))
    rows: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5000):
            chunk = list(ids[start : start + 5000])
            if vendor == "postgresql":
                cursor.execute(f"SELECT {columns} FROM {table} WHERE id = ANY(%s)", [chunk])
            else:
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"SELECT {columns} FROM {table} WHERE id IN ({marks})", chunk)
            rows.extend(cursor.fetchall())
    by_id = {row[0]: row for row in _decoded(rows, vendor, fields)}
    return [tuple(by_id[pk]) for pk in ids if pk in by_id]


def _decoded(rows: list[tuple], vendor: str, fields: tuple[str, ...]) -> list[tuple]:
    """The rows of `fields` with the values their driver gives not JSON-ready decoded."""
    for i, decode in _output_decoders(vendor, fields):
        if any(row[i] is not None for row in rows):
            rows = [
                (*row[:i], decode(row[i]), *row[i + 1 :]) if row[i] is not None else row
                for row in rows
            ]
    return rows


# Times as `json_value` prints them (ISO 8601, UTC, Z; the fraction only when not zero, as
# `datetime.isoformat`), formatted by the database rather than parsed and printed again.
_TIME_SQL = {
    # Django writes an aware time to SQLite as str() of the naive UTC time:
    # 'YYYY-MM-DD HH:MM:SS' or 'YYYY-MM-DD HH:MM:SS.ffffff'.
    "sqlite": "replace({column}, ' ', 'T') || 'Z'",
    "postgresql": (
        "to_char({column} AT TIME ZONE 'UTC', CASE "
        "WHEN mod(extract(microseconds FROM {column})::bigint, 1000000) = 0 "
        'THEN \'YYYY-MM-DD"T"HH24:MI:SS"Z"\' '
        'ELSE \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\' END)'
    ),
}


@lru_cache(maxsize=128)
def _output_select(vendor: str, fields: tuple[str, ...]) -> tuple[str, ...]:
    # Cached: a map list asks for the same few column sets on every request.
    out = []
    for name in (_COLUMNS.get(name, name) for name in fields):
        column = connection.ops.quote_name(Asset._meta.get_field(name).column)
        if name in _TIME_COLUMNS and vendor in _TIME_SQL:
            column = _TIME_SQL[vendor].format(column=column)
        elif name == "geometry" and vendor == "postgresql":
            # jsonb as its text in a binary result too (whose own jsonb loader would parse it)
            column = f"CAST({column} AS text)"
        out.append(column)
    return tuple(out)


def _django_value(name: str, value: Any) -> Any:
    """The value through the ORM's own converters for this field, then `json_value`."""
    field = Asset._meta.get_field(name)
    column = field.get_col(Asset._meta.db_table)
    for convert in [
        *connection.ops.get_db_converters(column),
        *field.get_db_converters(connection),
    ]:
        value = convert(value, column, connection)
    return json_value(value)


def _output_decoders(vendor: str, fields: tuple[str, ...]) -> list[tuple[int, Any]]:
    """(position in `fields`, decode) for the output columns whose raw database value is not
    JSON-ready."""
    if vendor == "postgresql":
        decoders = {"title_date": json_value, "book_value": json_value}
    elif vendor == "sqlite":
        # Django's driver setup already turns dates and booleans into Python values; decimals
        # are stored as numbers, quantized by the field's converter.
        decoders = {
            "title_date": json_value,
            "book_value": lambda v: _django_value("book_value", v),
        }
    else:
        decoders = {
            name: lambda v, name=name: _django_value(name, v)
            for name in OUTPUT_FIELDS
            if name not in ("id", "geometry")
        }
    return [(i, decoders[name]) for i, name in enumerate(fields) if name in decoders]


def asset_get(*, pk: int) -> Asset:
    return Asset.objects.get(pk=pk)


def asset_columns() -> list[str]:
    """The model columns behind OUTPUT_FIELDS, for `.values_list()`."""
    return [_COLUMNS.get(name, name) for name in OUTPUT_FIELDS]


def asset_history(*, asset: Asset) -> QuerySet:
    """The asset's history records, newest first, with the acting user joined."""
    return asset.history.select_related("history_user").order_by("-history_date", "-history_id")


def history_entry(record, previous, *, names: dict | None = None) -> dict[str, Any]:
    """One history record as who, when, what kind, and each changed field's old and new value,
    raw and as people read them (`assets_app.history.asset_history_changes`).

    The first record lists the values it was created with (old is null).
    """
    user = record.history_user
    return {
        "id": record.history_id,
        "type": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
        "user": user.get_username() if user is not None else None,
        "date": json_value(record.history_date),
        "changes": asset_history_changes(record, previous, names=names),
    }


def asset_history_entries(records: list, *, before: Any = None) -> list[dict[str, Any]]:
    """Entries for records given newest first; `before` is the record preceding the oldest."""
    names = history_names()
    entries = []
    for i, record in enumerate(records):
        previous = records[i + 1] if i + 1 < len(records) else before
        entries.append(history_entry(record, previous, names=names))
    return entries


def reclassification_transitions(reclassification: Reclassification) -> list[dict]:
    """Every status the reclassification went through, with who and when (from its history)."""
    transitions: list[dict] = []
    records = reclassification.history.order_by("history_date", "history_id").select_related(
        "history_user"
    )
    for record in records:
        if transitions and transitions[-1]["status"] == record.status:
            continue
        user = record.history_user
        transitions.append(
            {
                "status": record.status,
                "at": record.history_date,
                "by": user.get_username() if user is not None else None,
            }
        )
    return transitions
