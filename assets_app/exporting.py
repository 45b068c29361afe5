"""Export of the register (or a filtered part of it) as CSV, GeoJSON or GeoPackage.

Each format carries every writable field plus the derived district codes, so importing an export
(`assets_app.importing`, which ignores the derived columns) reproduces the register: CSV puts the
geometry in a `wkt` column at full precision, GeoJSON writes the stored geometry as is, and the
GeoPackage keeps numbers, whole numbers and booleans typed (book values as exact text).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from typing import Any

import orjson
from django.db.models import QuerySet

import pandas as pd
import shapely
from shapely.geometry import shape

from assets_app.selectors import json_value

# format -> (media type, file suffix)
EXPORT_FORMATS = {
    "csv": ("text/csv", "csv"),
    "geojson": ("application/geo+json", "geojson"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg"),
}
EXPORT_COLUMNS = (
    "register_code",
    "item_code",
    "name",
    "category",
    "use",
    "facility_type",
    "custodian",
    "address",
    "land_area_m2",
    "building_area_m2",
    "floors",
    "concrete",
    "condition",
    "title_type",
    "title_number",
    "title_date",
    "origin",
    "acquisition_year",
    "book_value",
    "status",
    "notes",
    "kelurahan_code",
    "kecamatan_code",
)
_SOURCE = {"kelurahan_code": "kelurahan_id", "kecamatan_code": "kecamatan_id"}
_FLOAT = ("land_area_m2", "building_area_m2")
_INTEGER = ("floors", "acquisition_year")
_BOOLEAN = ("concrete",)


def _rows(queryset: QuerySet) -> tuple[list[dict[str, Any]], list[dict]]:
    columns = [_SOURCE.get(c, c) for c in EXPORT_COLUMNS]
    records, geometries = [], []
    for values in queryset.values_list(*columns, "geometry"):
        records.append(
            {name: json_value(v) for name, v in zip(EXPORT_COLUMNS, values[:-1], strict=True)}
        )
        geometries.append(values[-1])
    return records, geometries


def export_csv(queryset: QuerySet) -> bytes:
    records, geometries = _rows(queryset)
    wkt = shapely.to_wkt([shape(g) for g in geometries], rounding_precision=-1) if records else []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*EXPORT_COLUMNS, "wkt"])
    for record, text in zip(records, wkt, strict=True):
        writer.writerow([_csv_cell(record[c]) for c in EXPORT_COLUMNS] + [text])
    return out.getvalue().encode("utf-8")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def export_geojson(queryset: QuerySet) -> bytes:
    records, geometries = _rows(queryset)
    features = [
        {"type": "Feature", "id": r["register_code"], "geometry": g, "properties": r}
        for r, g in zip(records, geometries, strict=True)
    ]
    return orjson.dumps({"type": "FeatureCollection", "features": features})


def export_gpkg(queryset: QuerySet) -> bytes:
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
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "assets.gpkg")
        gdf.to_file(path, driver="GPKG", layer="assets", engine="pyogrio")
        with open(path, "rb") as fh:
            return fh.read()


_WRITERS = {"csv": export_csv, "geojson": export_geojson, "gpkg": export_gpkg}


def assets_export(*, queryset: QuerySet, file_format: str) -> bytes:
    """The assets of `queryset` as a file in `file_format` (a key of EXPORT_FORMATS)."""
    return _WRITERS[file_format](queryset)
