"""Bulk import of assets from CSV, GeoJSON or GeoPackage: every row checked first, then all or none.

The rules are the single-write rules of `assets_app.services`, applied column by column over
the distinct values and with the geometry work vectorised, so that 100,000 rows import in
seconds. With `update`, a row whose register code exists changes that asset (upsert); otherwise
an existing code is an error. The parts: `readers` (file -> Table, with the format checks),
`cleaning` (values and row rules), `writing` (the one transaction's writes, over `core.bulk`)
and `run` (the orchestration and the report).
"""

from assets_app.importing.cleaning import NOT_A_NUMBER, NOT_FINITE, NOT_WHOLE_NUMBER
from assets_app.importing.readers import (
    GEOJSON_CRS_NOT_ALLOWED,
    GEOPACKAGE_NOT_PLAIN,
    GEOPACKAGE_ONE_LAYER,
    IMPORT_SUFFIXES,
    LAT_RANGE,
    LON_RANGE,
    NO_GEOMETRY_COLUMNS,
    NOT_GEOJSON,
    NOT_GEOPACKAGE,
    NOT_UTF8_CSV,
    NOT_WKT,
    UNREADABLE_FILE,
    UNSUPPORTED_SUFFIX,
    Table,
    read_table,
    table_from_records,
)
from assets_app.importing.run import (
    DUPLICATE_IN_FILE,
    IGNORED_COLUMNS,
    MISSING_COLUMN,
    REQUIRED_COLUMNS,
    UNKNOWN_COLUMN,
    assets_import_file,
    assets_import_table,
)
from assets_app.importing.writing import STATUS_CHANGED_MEANWHILE
from core.bulk import REINDEX_MIN_ROWS, id_runs

__all__ = [
    "DUPLICATE_IN_FILE",
    "GEOJSON_CRS_NOT_ALLOWED",
    "GEOPACKAGE_NOT_PLAIN",
    "GEOPACKAGE_ONE_LAYER",
    "IGNORED_COLUMNS",
    "IMPORT_SUFFIXES",
    "LAT_RANGE",
    "LON_RANGE",
    "MISSING_COLUMN",
    "NOT_A_NUMBER",
    "NO_GEOMETRY_COLUMNS",
    "NOT_FINITE",
    "NOT_GEOJSON",
    "NOT_GEOPACKAGE",
    "NOT_UTF8_CSV",
    "NOT_WHOLE_NUMBER",
    "NOT_WKT",
    "REINDEX_MIN_ROWS",
    "REQUIRED_COLUMNS",
    "STATUS_CHANGED_MEANWHILE",
    "UNKNOWN_COLUMN",
    "UNREADABLE_FILE",
    "UNSUPPORTED_SUFFIX",
    "Table",
    "assets_import_file",
    "assets_import_table",
    "id_runs",
    "read_table",
    "table_from_records",
]
