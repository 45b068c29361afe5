"""Reading a KIB A or KIB C workbook into the importer's table.

The headings are found in the first rows of the first sheet (a title may stand above them);
each known heading becomes its asset field, a derived one is skipped, an unknown one refuses
the file naming it. Words the KIB uses (B/RR/RB, Hak Pakai, Pembelian, ...) become the
register's values; anything else is left as written for the field's own check to name.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

import shapely

from assets_app.importing.readers import Table
from assets_app.importing.run import assets_import_table
from assets_app.kib.columns import KIB_CATEGORY, KIB_COLUMNS

NOT_XLSX = _("The file is not an XLSX workbook.")
NO_HEADINGS = _("No KIB {kind} headings found (looked for 'Kode Barang' in the first 10 rows).")
UNKNOWN_HEADING = _("Unknown column heading {heading!r} for KIB {kind}.")
REPEATED_HEADING = _("The column heading {heading!r} appears twice.")
NOT_WKT = _("Not a WKT geometry.")
GEOMETRY_MISSING = _("This column is required.")
GEOMETRY_FIELD = "geometry"
HEADING_ROWS = 10


def _cell(value: Any, words: dict) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if words:
            back = {str(v).lower(): k for k, v in words.items()}
            return back.get(value.lower(), value)
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def read_kib(path: str | Path, kind: str) -> Table:
    """The KIB `kind` ("A" or "C") workbook at `path` as the importer's table."""
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - whatever breaks openpyxl is not a workbook
        raise ValidationError(str(NOT_XLSX)) from exc
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        by_heading = {c.heading: c for c in KIB_COLUMNS[kind]}
        headings = None
        for _i in range(HEADING_ROWS):
            row = next(rows, None)
            if row is None:
                break
            if "Kode Barang" in [str(v).strip() if v is not None else "" for v in row]:
                headings = [str(v).strip() if v is not None else "" for v in row]
                break
        if headings is None:
            raise ValidationError(str(NO_HEADINGS).format(kind=kind))
        picked: list[tuple[int, Any]] = []
        seen: set[str] = set()
        for i, heading in enumerate(headings):
            if not heading:
                continue
            column = by_heading.get(heading)
            if column is None:
                raise ValidationError(str(UNKNOWN_HEADING).format(heading=heading, kind=kind))
            if heading in seen:
                raise ValidationError(str(REPEATED_HEADING).format(heading=heading))
            seen.add(heading)
            if not column.derived:
                picked.append((i, column))
        records = [r for r in rows if any(v is not None and str(v).strip() != "" for v in r)]
    finally:
        workbook.close()
    columns: dict[str, list] = {}
    wkt: list = []
    for i, column in picked:
        values = [_cell(r[i] if i < len(r) else None, column.words) for r in records]
        if column.field == GEOMETRY_FIELD:
            wkt = values
        elif column.field == "book_value":
            columns[column.field] = [f"{v:.2f}" if isinstance(v, float) else v for v in values]
        else:
            columns[column.field] = values
    columns["category"] = [KIB_CATEGORY[kind]] * len(records)
    geometries: list = [None] * len(records)
    errors: dict[int, tuple[str, str]] = {}
    for row, text in enumerate(wkt or [None] * len(records)):
        if not text:
            errors[row] = (GEOMETRY_FIELD, str(GEOMETRY_MISSING))
            continue
        geom = shapely.from_wkt(str(text), on_invalid="ignore")
        if geom is None:
            errors[row] = (GEOMETRY_FIELD, str(NOT_WKT))
        else:
            geometries[row] = geom
    return Table(columns, geometries, errors)


def kib_import(
    *,
    path: str | Path,
    kind: str,
    user: AbstractBaseUser | None,
    dry_run: bool = False,
    update: bool = False,
) -> dict:
    """Import a KIB workbook: every row checked, then all written or none (the report names
    each problem by data row, 1 being the first row under the headings, and field)."""
    return assets_import_table(
        table=read_kib(path, kind), user=user, dry_run=dry_run, update=update
    )


def kib_import_upload(
    *,
    upload,
    kind: str,
    user: AbstractBaseUser | None,
    dry_run: bool = False,
    update: bool = False,
) -> dict:
    """`kib_import` of an uploaded file: openpyxl reads a path, so the upload is written to a
    private temporary folder first and removed with it (the API and the admin page both)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "upload.xlsx")
        with open(path, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        return kib_import(path=path, kind=kind, user=user, dry_run=dry_run, update=update)
