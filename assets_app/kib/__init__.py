"""KIB A (land) and KIB C (buildings) as XLSX: import (all rows or none, with row errors, through
the register's importer) and export (the official headings, then the register's own columns).

`kib_import(path=..., kind="A")` reads a workbook into the importer's table and imports it;
`kib_export(queryset=..., kind="C")` writes one. A file exported here imports back to the same
register (`tests/assets_app/test_kib.py`).
"""

from assets_app.kib.columns import KIB_CATEGORY, KIB_COLUMNS, KIB_TITLES
from assets_app.kib.reader import kib_import, kib_import_upload, read_kib
from assets_app.kib.writer import kib_export

KIB_KINDS = tuple(KIB_COLUMNS)

__all__ = [
    "KIB_CATEGORY",
    "KIB_COLUMNS",
    "KIB_KINDS",
    "KIB_TITLES",
    "kib_export",
    "kib_import",
    "kib_import_upload",
    "read_kib",
]
