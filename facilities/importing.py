"""Reading and checking a reference-facility file (CSV or GeoJSON): rows in, clean rows out.

The format is the one claimed (`fmt`), and the content is checked to be that format before it is
parsed: UTF-8 text without NUL bytes, not markup, at most `FACILITIES_IMPORT_MAX_BYTES` and
`MAX_ROWS`. GeoJSON is parsed here (a FeatureCollection of Point features; no GDAL, so nothing
of the file is followed or fetched). Every row is checked before anything is written; the errors
name the 1-based data row and the column.

Columns are matched without regard to case, spaces or underscores, under the names of the
providers' lists: Dapodik / Data Referensi Pendidikan (NPSN, Nama, Bentuk Pendidikan, Status
Sekolah, Alamat, Lintang, Bujur, and optionally Peserta Didik, Rombel) and the Kemenkes facility
list (Kode Faskes, Nama Faskes, Jenis Faskes, Kepemilikan, Alamat, Latitude, Longitude, and
optionally Tempat Tidur).
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from facilities import categories
from facilities.models import HEALTH_CODE_RE, HEALTH_CODE_SHAPE, NPSN_RE, NPSN_SHAPE

FORMATS = ("csv", "geojson")
MAX_ROWS = 50_000
# Depok's bounding box, widened by about 5.5 km (the largest service radius is 5 km): a
# facility beyond it cannot serve a resident of Depok.
AREA = {"min_lon": 106.66, "max_lon": 106.97, "min_lat": -6.53, "max_lat": -6.27}

UNKNOWN_FORMAT = _("Unknown format {value!r}; use csv or geojson.")
TOO_LARGE = _("The file is larger than {limit:,} bytes.")
TOO_MANY_ROWS = _("The file has more than {limit:,} rows.")
NOT_TEXT = _("The file is not UTF-8 text.")
LOOKS_LIKE_MARKUP = _("The file is markup (HTML or XML), not {fmt}.")
NOT_GEOJSON = _("The file is not a GeoJSON FeatureCollection of Point features.")
GEOJSON_CRS = _("Give GeoJSON coordinates in WGS 84 (no crs member other than EPSG:4326).")
EMPTY_FILE = _("The file has no rows.")
MISSING_COLUMN = _("Missing column {column!r} (also accepted: {aliases}).")
REQUIRED = _("This value is required.")
UNKNOWN_CATEGORY = _("Unknown category {value!r}.")
UNKNOWN_PROVIDER = _("Unknown provider or ownership {value!r}.")
UNKNOWN_STATUS = _("Unknown operating status {value!r}; use operating or closed.")
NOT_A_NUMBER = _("Must be a number.")
NOT_POSITIVE_WHOLE = _("Must be a whole number of at least 1.")
OUTSIDE_AREA = _(
    "The point ({lon}, {lat}) is not in or near Depok (longitude 106.66 to 106.97, latitude "
    "-6.53 to -6.27); are latitude and longitude swapped?"
)
NOT_A_POINT = _("The geometry must be a Point.")
DUPLICATE_IN_FILE = _("National id {value} appears again (first in row {first}).")
TOO_LONG = _("At most {limit} characters.")

# canonical column -> the names it is given in the lists (compared with `_key`)
COLUMNS: dict[str, tuple[str, ...]] = {
    "national_id": ("npsn", "kode faskes", "kode fasyankes", "kode", "national id"),
    "name": ("nama", "nama sekolah", "nama satuan pendidikan", "nama faskes", "nama fasyankes"),
    "category": ("bentuk pendidikan", "jenis faskes", "jenis fasyankes", "jenis", "category"),
    "provider": ("status sekolah", "kepemilikan", "pemilik", "provider"),
    "address": ("alamat", "address"),
    "lat": ("lintang", "latitude", "lat"),
    "lon": ("bujur", "longitude", "lon", "lng"),
    "status": ("status operasi", "keadaan", "operating status"),
    "capacity_students": ("peserta didik", "jumlah peserta didik", "pd", "capacity students"),
    "capacity_rombel": ("rombel", "jumlah rombel", "capacity rombel"),
    "capacity_beds": ("tempat tidur", "jumlah tempat tidur", "tt", "capacity beds"),
    "source": ("sumber", "source"),
}
REQUIRED_COLUMNS = ("national_id", "name", "category", "provider")
STATUS_ALIASES = {
    "operating": "operating",
    "aktif": "operating",
    "beroperasi": "operating",
    "": "operating",
    "closed": "closed",
    "tutup": "closed",
    "tidak aktif": "closed",
}
LIMITS = {"national_id": 20, "name": 200, "address": 300, "source": 300}


class FileError(Exception):
    """The file as a whole cannot be read; the message names why."""


@dataclass
class Checked:
    rows: list[dict[str, Any]] = field(default_factory=list)  # clean rows, with "row"
    skipped: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0


def _key(name: Any) -> str:
    return re.sub(r"[\s_]+", " ", str(name or "").strip().lower())


def _column_map(names) -> dict[str, str]:
    """canonical -> the file's own column name."""
    found = {}
    keys = {_key(n): n for n in names}
    for canonical, aliases in COLUMNS.items():
        for alias in (canonical.replace("_", " "), *aliases):
            if alias in keys:
                found[canonical] = keys[alias]
                break
    return found


def _text_of(data: bytes, fmt: str) -> str:
    if b"\0" in data:
        raise FileError(str(NOT_TEXT))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileError(str(NOT_TEXT)) from None
    if text.lstrip()[:1] == "<":
        raise FileError(str(LOOKS_LIKE_MARKUP).format(fmt=fmt.upper()))
    return text


def read_records(data: bytes, fmt: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """(records, column map) of a file in the claimed format; raises FileError."""
    if fmt not in FORMATS:
        raise FileError(str(UNKNOWN_FORMAT).format(value=fmt))
    limit = int(settings.FACILITIES_IMPORT_MAX_BYTES)
    if len(data) > limit:
        raise FileError(str(TOO_LARGE).format(limit=limit))
    text = _text_of(data, fmt)
    records = _read_csv(text) if fmt == "csv" else _read_geojson(text)
    if not records:
        raise FileError(str(EMPTY_FILE))
    if len(records) > MAX_ROWS:
        raise FileError(str(TOO_MANY_ROWS).format(limit=MAX_ROWS))
    names = {n for r in records for n in r if not n.startswith("__")}
    columns = _column_map(names)
    if fmt == "geojson":
        columns.update({"lon": "__lon", "lat": "__lat"})
    for canonical in (*REQUIRED_COLUMNS, "lon", "lat"):
        if canonical not in columns:
            raise FileError(
                str(MISSING_COLUMN).format(column=canonical, aliases=", ".join(COLUMNS[canonical]))
            )
    return records, columns


def _read_csv(text: str) -> list[dict[str, Any]]:
    try:
        sample = text[:4096]
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample else csv.excel
    except csv.Error:
        dialect = csv.excel
    try:
        reader = csv.DictReader(io.StringIO(text), dialect=dialect)
        return [
            {str(k).strip(): v for k, v in row.items() if k is not None}
            for row in reader
            if any((v or "").strip() for v in row.values() if isinstance(v, str))
        ]
    except csv.Error:
        raise FileError(str(NOT_TEXT)) from None


def _read_geojson(text: str) -> list[dict[str, Any]]:
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise FileError(str(NOT_GEOJSON)) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise FileError(str(NOT_GEOJSON))
    crs = document.get("crs")
    if crs is not None and not _wgs84(crs):
        raise FileError(str(GEOJSON_CRS))
    features = document.get("features")
    if not isinstance(features, list):
        raise FileError(str(NOT_GEOJSON))
    records = []
    for feature in features:
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise FileError(str(NOT_GEOJSON))
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            raise FileError(str(NOT_GEOJSON))
        record = {str(k): v for k, v in properties.items()}
        geometry = feature.get("geometry")
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if (
            isinstance(geometry, dict)
            and geometry.get("type") == "Point"
            and isinstance(coordinates, list)
            and len(coordinates) in (2, 3)
        ):
            record["__lon"], record["__lat"] = coordinates[0], coordinates[1]
        else:
            record["__geometry_error"] = str(NOT_A_POINT)
        records.append(record)
    return records


def _wgs84(crs: Any) -> bool:
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    return isinstance(name, str) and name.upper() in {
        "EPSG:4326",
        "URN:OGC:DEF:CRS:EPSG::4326",
        "URN:OGC:DEF:CRS:OGC:1.3:CRS84",
    }


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value or "").strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def _whole(value: Any) -> tuple[int | None, bool]:
    """(value, ok): blank is (None, True)."""
    if value is None or str(value).strip() in ("", "-"):
        return None, True
    number = _number(value)
    if number is None or number != int(number) or number < 1 or number > 2_000_000_000:
        return None, False
    return int(number), True


def check_records(
    records: list[dict[str, Any]], columns: dict[str, str], *, source: str
) -> Checked:
    """Every row checked; clean rows carry the model's field values."""
    result = Checked(total=len(records))
    seen: dict[tuple[str, str], int] = {}
    for index, record in enumerate(records, start=1):
        errors: list[tuple[str, str]] = []

        def cell(canonical, record=record):
            name = columns.get(canonical)
            value = record.get(name) if name else None
            return "" if value is None else str(value).strip()

        def fail(canonical, message, errors=errors):
            errors.append((columns.get(canonical, canonical).lstrip("_") or canonical, message))

        category_text = cell("category")
        if categories.skipped(category_text):
            result.skipped.append({"row": index, "category": category_text})
            continue
        category = categories.category_of(category_text)
        mapping = categories.MAPPING.get(category) if category else None
        if mapping is None:
            fail("category", str(UNKNOWN_CATEGORY).format(value=category_text))
        national_id = cell("national_id").upper()
        if not national_id:
            fail("national_id", str(REQUIRED))
        elif mapping is not None:
            if mapping.kind == "school" and not re.fullmatch(NPSN_RE, national_id):
                fail("national_id", str(NPSN_SHAPE))
            if mapping.kind == "health" and not re.fullmatch(HEALTH_CODE_RE, national_id):
                fail("national_id", str(HEALTH_CODE_SHAPE))
        name = cell("name")
        if not name:
            fail("name", str(REQUIRED))
        provider_text = cell("provider")
        provider = categories.provider_of(provider_text, category or "")
        if provider is None:
            fail("provider", str(UNKNOWN_PROVIDER).format(value=provider_text))
        status = STATUS_ALIASES.get(categories.normalise(cell("status")))
        if status is None:
            fail("status", str(UNKNOWN_STATUS).format(value=cell("status")))
        point = _point(record, columns, fail)
        capacities = {}
        for canonical in ("capacity_students", "capacity_rombel", "capacity_beds"):
            value, ok = _whole(record.get(columns[canonical]) if canonical in columns else None)
            if not ok:
                fail(canonical, str(NOT_POSITIVE_WHOLE))
            capacities[canonical] = value
        row_source = cell("source") or source
        if not row_source:
            fail("source", str(REQUIRED))
        values = {
            "national_id": national_id,
            "name": name,
            "address": cell("address"),
            "source": row_source,
        }
        for key, limit in LIMITS.items():
            if len(values[key]) > limit:
                fail(key, str(TOO_LONG).format(limit=limit))
        if mapping is not None and national_id:
            first = seen.setdefault((mapping.kind, national_id), index)
            if first != index:
                fail("national_id", str(DUPLICATE_IN_FILE).format(value=national_id, first=first))
        if errors:
            result.errors.extend(
                {"row": index, "column": column, "message": message} for column, message in errors
            )
            continue
        result.rows.append(
            {
                "row": index,
                **values,
                "kind": mapping.kind,
                "facility_type": mapping.facility_type,
                "level": str(mapping.level),
                "category": category,
                "provider": provider,
                "status": status,
                "lon": point[0],
                "lat": point[1],
                **capacities,
            }
        )
    return result


def _point(record, columns, fail) -> tuple[float, float] | None:
    if "__geometry_error" in record:
        fail("geometry", record["__geometry_error"])
        return None
    lon = _number(record.get(columns["lon"]))
    lat = _number(record.get(columns["lat"]))
    if lon is None:
        fail("lon", str(NOT_A_NUMBER))
    if lat is None:
        fail("lat", str(NOT_A_NUMBER))
    if lon is None or lat is None:
        return None
    column = outside_area(lon, lat)
    if column is not None:
        fail(column, str(OUTSIDE_AREA).format(lon=lon, lat=lat))
        return None
    return lon, lat


def outside_area(lon: float, lat: float) -> str | None:
    """The coordinate ("lon" or "lat") that puts the point outside Depok's widened box (AREA),
    or None when it is inside; the longitude is named first."""
    if not AREA["min_lon"] <= lon <= AREA["max_lon"]:
        return "lon"
    if not AREA["min_lat"] <= lat <= AREA["max_lat"]:
        return "lat"
    return None
