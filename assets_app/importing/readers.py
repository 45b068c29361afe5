"""Reading an import file into a `Table`: CSV (pandas, no GDAL), GeoJSON and GeoPackage (GDAL).

The suffix decides the one reader a file gets, and the content is checked to be that format
before GDAL sees it (GDAL would otherwise follow links, attach databases or try other drivers).
A file that cannot be read gets a fixed reason per format, never what the reader said.
"""

from __future__ import annotations

import logging
import math
import re
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd
import pyogrio
import shapely

from assets_app.exporting import NEUTRALISED
from assets_app.gdal_setup import gdal_lock_down

logger = logging.getLogger(__name__)

IMPORT_SUFFIXES = (".csv", ".geojson", ".json", ".gpkg")

UNREADABLE_FILE = _("The file could not be read: {reason}")
# The reasons: fixed per format, never what the reader said (it can name server paths).
NOT_UTF8_CSV = _("it is not UTF-8 CSV text.")
NOT_GEOJSON = _("it is not valid GeoJSON (a FeatureCollection, a Feature or a geometry).")
GEOJSON_CRS_NOT_ALLOWED = _(
    "its crs is not an EPSG or OGC name; give coordinates in WGS 84 or name an EPSG code."
)
NOT_GEOPACKAGE = _("it is not a GeoPackage.")
GEOPACKAGE_NOT_PLAIN = _(
    "the GeoPackage holds more than plain feature tables (a view, a virtual table, a "
    "generated column, or a reference to another file, database or address)."
)
GEOPACKAGE_ONE_LAYER = _("the GeoPackage must hold exactly one feature table.")
UNSUPPORTED_SUFFIX = _("Unsupported file type {suffix!r}; use .csv, .geojson, .json or .gpkg.")
NO_GEOMETRY_COLUMNS = _("Give a wkt column, or lon and lat columns, or a spatial file.")
NOT_WKT = _("Not valid WKT.")
NOT_A_NUMBER = _("Must be a number.")
LON_RANGE = _("Longitude must be between -180 and 180.")
LAT_RANGE = _("Latitude must be between -90 and 90.")

SQLITE_HEADER = b"SQLite format 3\0"
# At byte 68 of the header: "GPKG" (1.2 on), "GP11" (1.1), "GP10" (1.0).
GEOPACKAGE_APPLICATION_IDS = frozenset({0x47504B47, 0x47503131, 0x47503130})
_GEOJSON_TYPES = frozenset(
    {
        "FeatureCollection",
        "Feature",
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
        "Polygon",
        "MultiPolygon",
        "GeometryCollection",
    }
)
# Members (lower case) holding the objects whose own `crs` GDAL reads.
_GEOJSON_NESTED = frozenset({"features", "geometry", "geometries"})
# Members that hold no crs GDAL reads and no object whose crs it reads.
_GEOJSON_PLAIN_MEMBERS = frozenset({"type", "id", "properties", "bbox", "coordinates"})
_CRS_NAME = re.compile(
    r"urn:ogc:def:crs:(?:EPSG:[0-9.]*:[0-9]{1,6}|OGC:1\.3:CRS(?:84|83|27))|EPSG:[0-9]{1,6}",
    re.IGNORECASE,
)
# Schema text that reaches beyond the file: another database, an extension, a GDAL virtual
# path, a URL (scheme, colon, slash).
_FORBIDDEN_TEXT = re.compile(r"\battach\b|load_extension|/vsi|[a-z][a-z0-9+.-]*:/", re.IGNORECASE)
_VIRTUAL_TABLE = re.compile(r"\s*create\s+virtual\s+table\b", re.IGNORECASE)
# The GeoPackage R-tree spatial index, as GDAL and the standard write it.
_RTREE_TABLE = re.compile(
    r'\s*create\s+virtual\s+table\s+"?rtree_\w+"?\s+using\s+rtree\s*\(\s*id\s*,\s*minx\s*,'
    r"\s*maxx\s*,\s*miny\s*,\s*maxy\s*\)\s*$",
    re.IGNORECASE,
)
# A GeoPackage spatial reference definition: WKT (a keyword and a bracket) or "undefined".
_SRS_DEFINITION = re.compile(r"\s*(?:undefined\s*$|[A-Z][A-Z0-9_]*\s*\[)", re.IGNORECASE)


class Table:
    """A file's records: attribute columns (plain Python values), geometries, geometry errors."""

    def __init__(self, columns: dict[str, list], geometries: list, geometry_errors: dict):
        self.columns = columns
        self.geometries = geometries
        self.geometry_errors = geometry_errors  # row index -> (field, message)
        self.size = len(geometries)


def _plain(value: Any) -> Any:
    """A pandas/numpy cell as a plain Python value; missing values become None."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime()
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def read_table(path: str | Path) -> Table:
    """Read a CSV, GeoJSON or GeoPackage file; raises ValidationError if it cannot be read.

    The suffix decides the one reader a file gets, and the content must be that format before
    GDAL sees it (CSV is not given to GDAL at all): `_check_geojson`, `_check_geopackage`. The
    error names a fixed reason per format; what the reader said goes to the server log only, as
    it can hold server paths.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise ValidationError(str(UNSUPPORTED_SUFFIX).format(suffix=suffix))
    reader, reason = _READERS[suffix]
    try:
        return reader(path)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure is the file's problem
        logger.warning("Import of %s failed in the %s reader", path, suffix, exc_info=True)
        raise _unreadable(reason) from exc


def _unreadable(reason) -> ValidationError:
    return ValidationError(str(UNREADABLE_FILE).format(reason=reason))


def _read_csv(path: Path) -> Table:
    # Text only: pandas would read a binary file's bytes as some column's text.
    data = path.read_bytes()
    try:
        if b"\0" in data:
            raise UnicodeError
        data.decode("utf-8-sig")
    except UnicodeError:
        raise _unreadable(NOT_UTF8_CSV) from None
    del data
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.columns = [str(c).strip() for c in frame.columns]
    n = len(frame)
    geometries: list = [None] * n
    errors: dict[int, tuple[str, str]] = {}
    has_wkt = "wkt" in frame.columns
    has_lonlat = "lon" in frame.columns and "lat" in frame.columns
    if not has_wkt and not has_lonlat:
        raise ValidationError(str(NO_GEOMETRY_COLUMNS))
    wkt = frame["wkt"].str.strip().to_numpy() if has_wkt else np.full(n, "", dtype=object)
    with_wkt = wkt != ""
    if with_wkt.any():
        parsed = shapely.from_wkt(wkt[with_wkt], on_invalid="ignore")
        for i, geom in zip(np.flatnonzero(with_wkt).tolist(), parsed.tolist(), strict=True):
            if geom is None:
                errors[i] = ("wkt", str(NOT_WKT))
            else:
                geometries[i] = geom
    if has_lonlat:
        rest = np.flatnonzero(~with_wkt)
        lon = pd.to_numeric(frame["lon"].str.strip().iloc[rest], errors="coerce").to_numpy()
        lat = pd.to_numeric(frame["lat"].str.strip().iloc[rest], errors="coerce").to_numpy()
        ok = np.isfinite(lon) & np.isfinite(lat)
        ok &= (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
        points = shapely.points(np.column_stack([lon, lat]))
        for j, i in enumerate(rest.tolist()):
            if ok[j]:
                geometries[i] = points[j]
            elif not np.isfinite(lon[j]) or abs(lon[j]) > 180:
                errors[i] = ("lon", str(NOT_A_NUMBER if not np.isfinite(lon[j]) else LON_RANGE))
            else:
                errors[i] = ("lat", str(NOT_A_NUMBER if not np.isfinite(lat[j]) else LAT_RANGE))
    attributes = [c for c in frame.columns if c not in {"wkt", "lon", "lat"}]
    columns = {name: _without_neutralising(frame[name].tolist()) for name in attributes}
    return Table(columns, geometries, errors)


_NEUTRALISED = re.compile(NEUTRALISED)


def _without_neutralising(cells: list[str]) -> list[str]:
    """The cells without the `'` an export put before formula-like text (`NEUTRALISED`).

    Only a cell starting with `'` can carry one, so the regular expression runs on those alone
    (running it on every cell was a quarter of a 100,000-row CSV import).
    """
    marked = [i for i, cell in enumerate(cells) if cell[:1] == "'"]
    for i in marked:
        cells[i] = _NEUTRALISED.sub("", cells[i], count=1)
    return cells


def _read_geojson(path: Path) -> Table:
    document = _check_geojson(path)
    # GDAL reads the document as checked (parsed, then written again): what it parses is what
    # was checked, whatever the original's duplicate keys or odd spellings.
    with tempfile.TemporaryDirectory() as folder:
        checked = Path(folder) / "checked.geojson"
        checked.write_bytes(orjson.dumps(document))
        del document
        return _read_spatial(f"GeoJSON:{checked}")


def _check_geojson(path: Path) -> dict:
    """The parsed document, if it is a GeoJSON object whose coordinate systems are only named.

    GDAL fetches a `crs` of type link or url over the network, and matches member names case
    insensitively, so every `crs` member it would read is checked, however spelt.
    """
    try:
        document = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError:
        raise _unreadable(NOT_GEOJSON) from None
    if not isinstance(document, dict) or document.get("type") not in _GEOJSON_TYPES:
        raise _unreadable(NOT_GEOJSON)
    stack: list = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        # Only the members not spelt as usual need a look (a set difference runs in C).
        for key in item.keys() - _GEOJSON_PLAIN_MEMBERS:
            lower = key.lower()
            if lower == "crs" and not _named_crs(item[key]):
                raise _unreadable(GEOJSON_CRS_NOT_ALLOWED)
            if lower in _GEOJSON_NESTED:
                stack.append(item[key])
    return document


def _named_crs(value: Any) -> bool:
    """A `crs` member that names an EPSG or OGC coordinate system (or is null)."""
    if value is None:
        return True
    if not isinstance(value, dict) or set(value) != {"type", "properties"}:
        return False
    properties = value["properties"]
    return (
        value["type"] == "name"
        and isinstance(properties, dict)
        and set(properties) == {"name"}
        and isinstance(properties["name"], str)
        and _CRS_NAME.fullmatch(properties["name"]) is not None
    )


def _read_geopackage(path: Path) -> Table:
    layer = _check_geopackage(path)
    return _read_spatial(f"GPKG:{path}", layer=layer)


def _check_geopackage(path: Path) -> str:
    """The name of the one feature table of a GeoPackage made of plain tables.

    Refused: a file that is not SQLite with a GeoPackage application id; views (they run
    queries when read), virtual tables other than the R-tree spatial index (a module can read
    other files), generated columns; any schema text that attaches a database, loads an
    extension or names a GDAL virtual path or a URL; layers that are not plain tables; spatial
    reference definitions that are not WKT. Nothing of the file runs here: the schema is read
    with SQLite's trusted_schema off, from a read-only, immutable connection.
    """
    with path.open("rb") as fh:
        header = fh.read(100)
    if (
        len(header) < 100
        or header[:16] != SQLITE_HEADER
        or int.from_bytes(header[68:72], "big") not in GEOPACKAGE_APPLICATION_IDS
    ):
        raise _unreadable(NOT_GEOPACKAGE)
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        raise _unreadable(NOT_GEOPACKAGE) from None
    try:
        return _geopackage_layer(db)
    except sqlite3.Error:
        raise _unreadable(NOT_GEOPACKAGE) from None
    finally:
        db.close()


def _geopackage_layer(db: sqlite3.Connection) -> str:
    db.execute("PRAGMA trusted_schema = OFF")
    schema = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    plain_tables = set()
    for kind, name, _table, sql in schema:
        sql = sql or ""
        if kind not in ("table", "index", "trigger") or _FORBIDDEN_TEXT.search(sql):
            raise _unreadable(GEOPACKAGE_NOT_PLAIN)
        if kind == "table" and _VIRTUAL_TABLE.match(sql):
            if not _RTREE_TABLE.match(sql):
                raise _unreadable(GEOPACKAGE_NOT_PLAIN)
        elif kind == "table":
            plain_tables.add(name)
    if not {"gpkg_contents", "gpkg_spatial_ref_sys", "gpkg_geometry_columns"} <= plain_tables:
        raise _unreadable(NOT_GEOPACKAGE)
    contents = db.execute(
        "SELECT table_name, data_type, identifier FROM gpkg_contents ORDER BY rowid"
    ).fetchall()
    for table_name, _kind, identifier in contents:
        if table_name not in plain_tables or _FORBIDDEN_TEXT.search(f"{identifier or ''}"):
            raise _unreadable(GEOPACKAGE_NOT_PLAIN)
    features = [name for name, kind, _ in contents if str(kind).lower() == "features"]
    if len(features) != 1:
        raise _unreadable(GEOPACKAGE_ONE_LAYER)
    (layer,) = features
    quoted = '"' + layer.replace('"', '""') + '"'
    # hidden 2 and 3: generated columns, computed (by any function) when read.
    if any(column[6] in (2, 3) for column in db.execute(f"PRAGMA table_xinfo({quoted})")):
        raise _unreadable(GEOPACKAGE_NOT_PLAIN)
    for (definition,) in db.execute("SELECT definition FROM gpkg_spatial_ref_sys"):
        if not _SRS_DEFINITION.match(str(definition)):
            raise _unreadable(GEOPACKAGE_NOT_PLAIN)
    return layer


def _read_spatial(source: str, layer: str | None = None) -> Table:
    # Through Arrow: GDAL hands over whole columns instead of one Python object per cell (a
    # 100,000-feature GeoPackage in 0.3 s instead of 1.0 s). The driver prefix of `source`
    # ("GPKG:", "GeoJSON:") leaves GDAL no other driver to try; the lock-down is checked again
    # here, where it matters (cheap when already in place).
    gdal_lock_down()
    frame = pyogrio.read_dataframe(source, layer=layer, use_arrow=True)
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    geometries = np.asarray(frame.geometry.array, dtype=object)
    columns = {}
    for name in frame.columns:
        if name == frame.geometry.name:
            continue
        columns[str(name)] = _plain_column(frame[name])
    return Table(columns, geometries, {})


# suffix -> (reader, the reason a file it cannot read is given)
_READERS: dict[str, tuple[Callable[[Path], Table], Any]] = {
    ".csv": (_read_csv, NOT_UTF8_CSV),
    ".geojson": (_read_geojson, NOT_GEOJSON),
    ".json": (_read_geojson, NOT_GEOJSON),
    ".gpkg": (_read_geopackage, NOT_GEOPACKAGE),
}


def _plain_column(series: pd.Series) -> list:
    """`_plain` over a whole column, vectorised for the plain numpy dtypes a file gives."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return series.tolist()  # Python ints and bools; these dtypes hold no missing values
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = series.to_numpy()
        out = values.tolist()
        for i in np.flatnonzero(np.isnan(values)).tolist():
            out[i] = None
        return out
    return [v if type(v) is str else _plain(v) for v in series.tolist()]


def table_from_records(records: list[dict[str, Any]], geometries: list) -> Table:
    """A Table from plain dicts (e.g. the demo data), all with the same keys."""
    names = list(records[0]) if records else []
    columns = {name: [r.get(name) for r in records] for name in names}
    return Table(columns, list(geometries), {})
