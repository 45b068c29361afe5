"""The population surface: demand cells of at most 250 m x 250 m, each carrying its residents.

Pure functions over shapely and pandas; nothing here touches the ORM. A square grid in
EPSG:32748 (origin snapped to multiples of the cell size, so the grid never depends on the
input order) is clipped to every kelurahan: a square straddling a kelurahan border becomes one
cell per kelurahan. Each district's population figure is then spread over its cells in
proportion to cell area (the only assumption available until finer figures exist): kecamatan
figures over all cells of the kecamatan, kelurahan figures over the cells of the kelurahan.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from geodata.spatial import lonlat_to_utm_array, to_utm, utm_to_lonlat_array

CELL_SIZE_M = 250.0
# Slivers left by clipping a square to a kelurahan edge below this area carry no one.
MIN_CELL_AREA_M2 = 1.0
LEVELS = ("kecamatan", "kelurahan")

# Messages (translated when raised); `%(level)s` is "kecamatan" or "kelurahan".
UNKNOWN_LEVEL = _("Unknown level %(level)s; use kecamatan or kelurahan.")
NO_FIGURE_FOR = _("No population figure for %(level)s %(codes)s.")
UNKNOWN_LEVEL_CODES = _("Unknown %(level)s code(s): %(codes)s.")
NEGATIVE_POPULATION = _("Population must be zero or more: %(codes)s.")
FILE_EMPTY = _("The file is empty.")
NO_CODE_COLUMN = _("The file needs a code column (code, kecamatan_code or kelurahan_code).")
NO_POPULATION_COLUMN = _("The file needs a population column (population or total).")
LINE_NO_CODE = _("Line %(line)s: no district code.")
LINE_CODE_TWICE = _("Line %(line)s: district %(code)s appears twice.")
LINE_NOT_WHOLE = _("Line %(line)s: population %(value)s is not a whole number.")
LINE_NEGATIVE = _("Line %(line)s: population must be zero or more.")
LINE_YEAR_NOT_NUMBER = _("Line %(line)s: year %(value)s is not a number.")
FILE_NO_ROWS = _("The file has no rows.")
UNKNOWN_CODES = _("Unknown district code(s): %(codes)s.")
LEVELS_MIXED = _("Give figures for kecamatan or for kelurahan, not a mix.")
MISSING_FIGURES = _("No figure for %(level)s %(codes)s.")
YEARS_DIFFER = _("All rows must have the same year.")
SOURCES_DIFFER = _("All rows must have the same source.")
CELL_COLUMNS = (
    "kelurahan_code",
    "kecamatan_code",
    "row",
    "col",
    "x",
    "y",
    "lon",
    "lat",
    "area_m2",
)


class PopulationError(ValueError):
    """Figures that cannot be spread: a missing or unknown district, a negative count."""


@dataclass(frozen=True)
class Area:
    """A kelurahan to grid: its code, its kecamatan and its lon/lat geometry."""

    code: str
    kecamatan_code: str
    geometry: BaseGeometry


def build_cells(areas: Iterable[Area], *, cell_size_m: float = CELL_SIZE_M) -> pd.DataFrame:
    """Grid the areas into cells clipped to each area (one row per cell), without population.

    Columns: `kelurahan_code`, `kecamatan_code`, `row`, `col` (grid indices of the square),
    `x`, `y` (cell centroid, EPSG:32748 metres), `lon`, `lat` (the same centroid in EPSG:4326),
    `area_m2`. Rows are ordered by kelurahan code, then row, then column.
    """
    areas = list(areas)
    if not areas:
        return pd.DataFrame(columns=list(CELL_COLUMNS))
    projected = [to_utm(area.geometry) for area in areas]
    min_x, min_y, max_x, max_y = shapely.total_bounds(projected)
    x0 = math.floor(min_x / cell_size_m) * cell_size_m
    y0 = math.floor(min_y / cell_size_m) * cell_size_m
    n_cols = max(1, math.ceil((max_x - x0) / cell_size_m))
    n_rows = max(1, math.ceil((max_y - y0) / cell_size_m))
    rows, cols = np.divmod(np.arange(n_rows * n_cols), n_cols)
    left = x0 + cols * cell_size_m
    bottom = y0 + rows * cell_size_m
    squares = shapely.box(left, bottom, left + cell_size_m, bottom + cell_size_m)
    tree = STRtree(squares)

    parts = []
    for area, geom in zip(areas, projected, strict=True):
        shapely.prepare(geom)
        hits = np.sort(tree.query(geom, predicate="intersects"))
        pieces = shapely.intersection(squares[hits], geom)
        area_m2 = shapely.area(pieces)
        keep = area_m2 >= MIN_CELL_AREA_M2
        pieces, hits, area_m2 = pieces[keep], hits[keep], area_m2[keep]
        centroids = shapely.centroid(pieces)
        xy = shapely.get_coordinates(centroids)
        parts.append(
            pd.DataFrame(
                {
                    "kelurahan_code": area.code,
                    "kecamatan_code": area.kecamatan_code,
                    "row": rows[hits],
                    "col": cols[hits],
                    "x": xy[:, 0],
                    "y": xy[:, 1],
                    "area_m2": area_m2,
                }
            )
        )
    cells = pd.concat(parts, ignore_index=True)
    lonlat = utm_to_lonlat_array(cells[["x", "y"]].to_numpy())
    cells["lon"] = lonlat[:, 0]
    cells["lat"] = lonlat[:, 1]
    cells = cells.sort_values(["kelurahan_code", "row", "col"], kind="stable", ignore_index=True)
    return cells[list(CELL_COLUMNS)]


def spread_population(
    cells: pd.DataFrame, figures: Mapping[str, float], *, level: str
) -> np.ndarray:
    """Each district's figure spread over its cells in proportion to cell area.

    `figures` maps every district code at `level` ("kecamatan" or "kelurahan") present in the
    cells to its population. Returns one population per cell, in the cells' order; the cells of
    a district sum to its figure.
    """
    if level not in LEVELS:
        raise PopulationError(UNKNOWN_LEVEL % {"level": repr(level)})
    column = f"{level}_code"
    codes = cells[column].to_numpy()
    present = set(codes.tolist())
    missing = sorted(present - set(figures))
    if missing:
        raise PopulationError(NO_FIGURE_FOR % {"level": level, "codes": ", ".join(missing)})
    unknown = sorted(set(figures) - present)
    if unknown:
        raise PopulationError(UNKNOWN_LEVEL_CODES % {"level": level, "codes": ", ".join(unknown)})
    negative = sorted(code for code, value in figures.items() if not value >= 0)
    if negative:
        raise PopulationError(NEGATIVE_POPULATION % {"codes": ", ".join(negative)})
    area = cells["area_m2"].to_numpy(dtype=float)
    district_area = pd.Series(area).groupby(codes).transform("sum").to_numpy()
    figure = np.array([float(figures[code]) for code in codes])
    return figure * area / district_area


def lonlat_to_xy(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project lon/lat arrays to EPSG:32748 metres (the CRS the cells are in)."""
    if len(lon) == 0:
        return np.empty(0), np.empty(0)
    xy = lonlat_to_utm_array(np.column_stack([lon, lat]).astype(float))
    return xy[:, 0], xy[:, 1]


# --- figures from a CSV ----------------------------------------------------------------------

CODE_COLUMNS = ("code", "kelurahan_code", "kecamatan_code")
POPULATION_COLUMNS = ("population", "total")
SOURCE_COLUMNS = ("source", "reference")


@dataclass(frozen=True)
class Figures:
    """Population figures for one level of districts, with their year and source."""

    level: str
    values: dict[str, int]
    year: int | None
    source: str


def _first(row: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = row.get(name)
        if value is not None and value.strip() != "":
            return value.strip()
    return None


def parse_population_csv(
    text: str, *, kecamatan_codes: set[str], kelurahan_codes: set[str]
) -> Figures:
    """Read `code,population[,year,source]` rows (or the shipped `kecamatan_code,total,...`).

    The level follows from the codes: all kecamatan or all kelurahan, never a mix, and every
    district of that level present exactly once. Year and source may come from the file's
    columns (one value each for the whole file) or be left to the caller (None / "").
    """
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        raise PopulationError(str(FILE_EMPTY))
    header = {name.strip() for name in reader.fieldnames if name}
    if not header & set(CODE_COLUMNS):
        raise PopulationError(str(NO_CODE_COLUMN))
    if not header & set(POPULATION_COLUMNS):
        raise PopulationError(str(NO_POPULATION_COLUMN))
    values: dict[str, int] = {}
    years: set[int] = set()
    sources: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "") for k, v in raw.items()}
        code = _first(row, CODE_COLUMNS)
        if code is None:
            raise PopulationError(LINE_NO_CODE % {"line": line})
        if code in values:
            raise PopulationError(LINE_CODE_TWICE % {"line": line, "code": code})
        population = _first(row, POPULATION_COLUMNS)
        try:
            number = int(str(population).replace(",", "").replace("_", ""))
        except ValueError:
            raise PopulationError(
                LINE_NOT_WHOLE % {"line": line, "value": repr(population)}
            ) from None
        if number < 0:
            raise PopulationError(LINE_NEGATIVE % {"line": line})
        values[code] = number
        year = _first(row, ("year",))
        if year is not None:
            try:
                years.add(int(year))
            except ValueError:
                raise PopulationError(
                    LINE_YEAR_NOT_NUMBER % {"line": line, "value": repr(year)}
                ) from None
        source = _first(row, SOURCE_COLUMNS)
        if source is not None:
            sources.add(source)
    if not values:
        raise PopulationError(str(FILE_NO_ROWS))
    codes = set(values)
    if codes <= kecamatan_codes:
        level, expected = "kecamatan", kecamatan_codes
    elif codes <= kelurahan_codes:
        level, expected = "kelurahan", kelurahan_codes
    else:
        unknown = sorted(codes - kecamatan_codes - kelurahan_codes)
        if unknown:
            raise PopulationError(UNKNOWN_CODES % {"codes": ", ".join(unknown)})
        raise PopulationError(str(LEVELS_MIXED))
    missing = sorted(expected - codes)
    if missing:
        raise PopulationError(MISSING_FIGURES % {"level": level, "codes": ", ".join(missing)})
    if len(years) > 1:
        raise PopulationError(str(YEARS_DIFFER))
    if len(sources) > 1:
        raise PopulationError(str(SOURCES_DIFFER))
    return Figures(
        level=level,
        values=values,
        year=next(iter(years)) if years else None,
        source=next(iter(sources)) if sources else "",
    )
