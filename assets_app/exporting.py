"""Export of the register (or a filtered part of it) as CSV, GeoJSON or GeoPackage.

Each format carries every writable field plus the derived district codes, so importing an export
(`assets_app.importing`, which ignores the derived columns) reproduces the register: CSV puts the
geometry in a `wkt` column at full precision, GeoJSON writes the stored geometry as is, and the
GeoPackage keeps numbers, whole numbers and booleans typed (book values as exact text). A CSV text
cell that a spreadsheet would read as a formula starts with `'` (see `neutralise_formula`).

CSV and GeoJSON are generated lazily, `CHUNK_ROWS` rows at a time from a server-side cursor, so
an export of the whole register streams in bounded memory; `export_bounded` caps its rows.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

import pandas as pd
import shapely
from shapely.geometry import shape

from assets_app.fields import FIELDS_BY_NAME
from assets_app.fields import names as field_names
from assets_app.selectors import json_value

EXPORT_TOO_LARGE = _(
    "The filter matches {matched} assets, more than the {max_rows} one export may hold; narrow "
    "the filter, or page with limit and offset."
)

# format -> (media type, file suffix)
EXPORT_FORMATS = {
    "csv": ("text/csv", "csv"),
    "geojson": ("application/geo+json", "geojson"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg"),
}
# Every writable field, then the derived district codes (an import ignores those).
EXPORT_COLUMNS = (
    *field_names(exported=True, writable=True),
    *field_names(exported=True, writable=False),
)
# Model attribute per export column where they differ.
_SOURCE = {
    name: FIELDS_BY_NAME[name].column
    for name in EXPORT_COLUMNS
    if FIELDS_BY_NAME[name].column != name
}
# GeoPackage columns kept typed.
_FLOAT = field_names(exported=True, kinds=("float",))
_INTEGER = field_names(exported=True, kinds=("integer",))
_BOOLEAN = field_names(exported=True, kinds=("boolean",))


# A cell a spreadsheet would read as a formula (or, after a tab or carriage return, as the
# start of one): `=HYPERLINK(...)` in a name would run when an officer opens the CSV in Excel.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Rows read, converted and written per step: the stream holds one chunk, not the register.
CHUNK_ROWS = 2000
_FILE_CHUNK_BYTES = 256 * 1024


def neutralise_formula(value: Any) -> Any:
    """A text that starts like a formula, prefixed with `'` (OWASP's advice for CSV injection),
    so a spreadsheet shows it as text. Only text: a negative number stays a number. A text that
    already starts with quotes before such a character gets one more, so the import can take
    exactly one away (`NEUTRALISED`) and give back the text as it was."""
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


# What `neutralise_formula` added, so that an exported CSV imports back to the same text.
NEUTRALISED = r"^'(?='*[=+\-@\t\r])"


def _batches(queryset: QuerySet) -> Iterator[list[tuple]]:
    """The export columns plus the geometry, `CHUNK_ROWS` rows at a time, read lazily (a
    server-side cursor on PostgreSQL, so the register never sits in memory whole)."""
    columns = [_SOURCE.get(c, c) for c in EXPORT_COLUMNS]
    rows = queryset.values_list(*columns, "geometry").iterator(chunk_size=CHUNK_ROWS)
    while batch := list(itertools.islice(rows, CHUNK_ROWS)):
        yield batch


def _records(batch: list[tuple], *, clean=None) -> list[dict[str, Any]]:
    clean = clean or (lambda value: value)
    return [
        {name: json_value(clean(v)) for name, v in zip(EXPORT_COLUMNS, values[:-1], strict=True)}
        for values in batch
    ]


def _rows(queryset: QuerySet) -> tuple[list[dict[str, Any]], list[dict]]:
    records, geometries = [], []
    for batch in _batches(queryset):
        records.extend(_records(batch))
        geometries.extend(values[-1] for values in batch)
    return records, geometries


def stream_csv(queryset: QuerySet) -> Iterator[bytes]:
    out = io.StringIO()
    # RFC 4180's CRLF: the csv module quotes a field holding a character of the line terminator,
    # so with "\n" alone a text holding "\r" went out unquoted and split its row.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*EXPORT_COLUMNS, "wkt"])
    yield _drain(out)
    for batch in _batches(queryset):
        wkt = shapely.to_wkt([shape(values[-1]) for values in batch], rounding_precision=-1)
        for record, text in zip(_records(batch, clean=neutralise_formula), wkt, strict=True):
            writer.writerow([_csv_cell(record[c]) for c in EXPORT_COLUMNS] + [text])
        yield _drain(out)


def _drain(out: io.StringIO) -> bytes:
    data = out.getvalue().encode("utf-8")
    out.seek(0)
    out.truncate()
    return data


def export_csv(queryset: QuerySet) -> bytes:
    return b"".join(stream_csv(queryset))


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def stream_geojson(queryset: QuerySet) -> Iterator[bytes]:
    yield b'{"type":"FeatureCollection","features":['
    first = True
    for batch in _batches(queryset):
        features = b",".join(
            orjson.dumps(
                {"type": "Feature", "id": r["register_code"], "geometry": v[-1], "properties": r}
            )
            for r, v in zip(_records(batch), batch, strict=True)
        )
        yield features if first else b"," + features
        first = False
    yield b"]}"


def export_geojson(queryset: QuerySet) -> bytes:
    return b"".join(stream_geojson(queryset))


def stream_gpkg(queryset: QuerySet) -> Iterator[bytes]:
    """A GeoPackage is a SQLite file, written whole before it can be sent; the caller bounds
    the rows (`EXPORT_MAX_ROWS`). Sent in chunks from a temporary file removed after."""
    import geopandas

    records, geometries = _rows(queryset)
    frame = pd.DataFrame.from_records(records, columns=list(EXPORT_COLUMNS))
    for name in _FLOAT:
        frame[name] = pd.to_numeric(frame[name]).astype("float64")
    for name in _INTEGER:
        frame[name] = frame[name].astype("Int64")
    for name in _BOOLEAN:
        frame[name] = frame[name].astype("boolean")
    gdf = geopandas.GeoDataFrame(frame, geometry=[shape(g) for g in geometries], crs="EPSG:4326")
    del records, geometries, frame
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "assets.gpkg")
        gdf.to_file(path, driver="GPKG", layer="assets", engine="pyogrio")
        del gdf
        with open(path, "rb") as fh:
            while chunk := fh.read(_FILE_CHUNK_BYTES):
                yield chunk


def export_gpkg(queryset: QuerySet) -> bytes:
    return b"".join(stream_gpkg(queryset))


_STREAMS = {"csv": stream_csv, "geojson": stream_geojson, "gpkg": stream_gpkg}


def assets_export_stream(*, queryset: QuerySet, file_format: str) -> Iterator[bytes]:
    """The assets of `queryset` as a file in `file_format` (a key of EXPORT_FORMATS), in
    chunks generated as they are read: nothing runs until the first chunk is asked for."""
    return _STREAMS[file_format](queryset)


def assets_export(*, queryset: QuerySet, file_format: str) -> bytes:
    """The assets of `queryset` as a file in `file_format` (a key of EXPORT_FORMATS)."""
    return b"".join(assets_export_stream(queryset=queryset, file_format=file_format))


def export_bounded(*, queryset: QuerySet, limit: int | None, offset: int) -> QuerySet:
    """The page of `queryset` an export sends (by id): `limit` rows from `offset`, at most
    `EXPORT_MAX_ROWS`; without a `limit`, a filter matching more than that is a 400 naming
    `limit`, not a partial file that looks whole."""
    max_rows = settings.EXPORT_MAX_ROWS
    if limit is None:
        matched = queryset.count()
        if matched - offset > max_rows:
            raise ValidationError(
                {"limit": [str(EXPORT_TOO_LARGE).format(matched=matched, max_rows=max_rows)]}
            )
        limit = max_rows
    # The list's own ordering (e.g. by distance) is kept; pk makes paging deterministic.
    ordering = queryset.query.order_by if queryset.query.order_by else ()
    return queryset.order_by(*ordering, "pk")[offset : offset + limit]
