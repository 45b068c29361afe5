"""Writes to the population surface: build the demand cells and import newer figures.

The cells are rebuilt as a whole (about 4,700 rows) inside one transaction, so a reader never
sees half a surface. The functions take the model classes as optional arguments so that the
data migration can pass its historical models.
"""

from __future__ import annotations

from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

import pandas as pd

from geodata import boundaries
from geodata.population import CELL_SIZE_M, Area, PopulationError, build_cells, spread_population

NO_DISTRICT_POPULATION = _("Districts {codes} have no population figure; import figures first.")
YEAR_REQUIRED = _("The year of the figures is required.")
SOURCE_REQUIRED = _("The source of the figures is required.")
LEVEL_INVALID = _("Use kecamatan or kelurahan.")


def _models(District=None, PopulationSource=None, PopulationCell=None):  # noqa: N803
    if District is None:
        from geodata.models import District, PopulationCell, PopulationSource
    return District, PopulationSource, PopulationCell


@lru_cache(maxsize=2)
def _grid(cell_size_m: float) -> pd.DataFrame:
    """The clipped grid over the shipped kelurahan (boundaries are fixed per release)."""
    areas = [Area(k.code, k.parent_code, k.geometry) for k in boundaries.kelurahan()]
    return build_cells(areas, cell_size_m=cell_size_m)


def population_cells_build(
    *,
    figures: dict[str, float],
    level: str,
    year: int,
    source: str,
    cell_size_m: float = CELL_SIZE_M,
    models: tuple | None = None,
):
    """Replace the demand cells with `figures` (per `level`) spread by area; returns the source.

    No checks beyond the spreading itself: callers validate year and source.
    """
    District, PopulationSource, PopulationCell = _models(*(models or ()))
    cells = _grid(cell_size_m).copy()
    try:
        population = spread_population(cells, figures, level=level)
    except PopulationError as exc:
        raise ValidationError({"population": [str(exc)]}) from exc
    with transaction.atomic():
        record = PopulationSource.objects.create(
            level=level,
            year=year,
            source=source,
            cell_size_m=cell_size_m,
            cell_count=len(cells),
            total_population=float(population.sum()),
        )
        PopulationCell.objects.all().delete()
        PopulationCell.objects.bulk_create(
            [
                PopulationCell(
                    source_id=record.pk,
                    kelurahan_id=row.kelurahan_code,
                    kecamatan_id=row.kecamatan_code,
                    row=int(row.row),
                    col=int(row.col),
                    x=float(row.x),
                    y=float(row.y),
                    lon=float(row.lon),
                    lat=float(row.lat),
                    area_m2=float(row.area_m2),
                    population=float(value),
                )
                for row, value in zip(cells.itertuples(index=False), population, strict=True)
            ],
            batch_size=1000,
        )
    return record


def population_cells_rebuild(*, models: tuple | None = None):
    """Build the cells from the figures stored on the districts.

    Kelurahan figures when every kelurahan has one (they were imported), else the kecamatan
    figures (the shipped 2010 census until newer ones are imported).
    """
    District, PopulationSource, PopulationCell = _models(*(models or ()))
    kelurahan = list(
        District.objects.filter(level="kelurahan").values_list(
            "code", "population", "population_year", "population_source"
        )
    )
    if kelurahan and all(population is not None for _c, population, _y, _s in kelurahan):
        level, rows = "kelurahan", kelurahan
    else:
        level = "kecamatan"
        rows = list(
            District.objects.filter(level="kecamatan").values_list(
                "code", "population", "population_year", "population_source"
            )
        )
    missing = [code for code, population, _y, _s in rows if population is None]
    if missing:
        raise ValidationError(
            {"population": [str(NO_DISTRICT_POPULATION).format(codes=", ".join(missing))]}
        )
    years = {year for _c, _p, year, _s in rows if year}
    sources = {source for _c, _p, _y, source in rows if source}
    return population_cells_build(
        figures={code: population for code, population, _y, _s in rows},
        level=level,
        year=max(years) if years else 0,
        source="; ".join(sorted(sources)) or boundaries.POPULATION_SOURCE_2010,
        models=(District, PopulationSource, PopulationCell),
    )


@transaction.atomic
def population_import(*, figures: dict[str, int], level: str, year: int | None, source: str):
    """Store newer figures on the districts and rebuild the cells from them.

    Kecamatan figures clear any kelurahan figures (they would no longer add up); kelurahan
    figures also set each kecamatan to the sum of its kelurahan.
    """
    from geodata.models import District

    if level not in ("kecamatan", "kelurahan"):
        raise ValidationError({"level": [str(LEVEL_INVALID)]})
    if not year:
        raise ValidationError({"year": [str(YEAR_REQUIRED)]})
    if not source or not source.strip():
        raise ValidationError({"source": [str(SOURCE_REQUIRED)]})
    source = source.strip()
    record = population_cells_build(figures=figures, level=level, year=year, source=source)
    for code, value in figures.items():
        District.objects.filter(code=code, level=level).update(
            population=value, population_year=year, population_source=source
        )
    if level == "kecamatan":
        District.objects.filter(level="kelurahan").update(
            population=None, population_year=None, population_source=""
        )
    else:
        totals: dict[str, int] = {}
        for code, parent in District.objects.filter(level="kelurahan").values_list(
            "code", "parent_id"
        ):
            totals[parent] = totals.get(parent, 0) + int(figures[code])
        for code, total in totals.items():
            District.objects.filter(code=code).update(
                population=total, population_year=year, population_source=source
            )
    return record
