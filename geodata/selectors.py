"""Reads of the population surface and the service standards, shaped for the coverage maths.

The cells change only when the surface is rebuilt, which always adds a new PopulationSource row,
so their arrays are cached per process under that row's id and time: one small query per call
finds out whether the cache is still current.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from geodata.coverage import Demand
from geodata.models import PopulationCell, PopulationSource, ServiceStandard

_cache: dict = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Surface:
    source_id: int
    label: str
    demand: Demand
    # The figures' year (the API shows it beside the label): None only for hand-built surfaces.
    year: int | None = None


def population_source_current() -> PopulationSource:
    """The current surface's record; built from the District figures on first use if missing."""
    record = PopulationSource.objects.order_by("-id").first()
    if record is None or not PopulationCell.objects.filter(source=record).exists():
        from geodata.services import population_cells_rebuild

        record = population_cells_rebuild()
    return record


def population_surface() -> Surface:
    record = population_source_current()
    key = (record.pk, record.created_at, record.cell_count)
    with _lock:
        cached = _cache.get("surface")
        if cached is not None and cached[0] == key:
            return cached[1]
    rows = list(
        PopulationCell.objects.filter(source=record)
        .order_by("id")
        .values_list("x", "y", "population", "kecamatan_id", "kelurahan_id")
    )
    if rows:
        x, y, population, kecamatan, kelurahan = zip(*rows, strict=True)
    else:
        x = y = population = kecamatan = kelurahan = ()
    surface = Surface(
        source_id=record.pk,
        label=record.label,
        demand=Demand(
            x=np.asarray(x, dtype=float),
            y=np.asarray(y, dtype=float),
            population=np.asarray(population, dtype=float),
            kecamatan=np.asarray(kecamatan, dtype=object),
            kelurahan=np.asarray(kelurahan, dtype=object),
        ),
        year=record.year,
    )
    with _lock:
        _cache["surface"] = (key, surface)
    return surface


def service_standards() -> dict[str, ServiceStandard]:
    """The standards by facility type."""
    return {s.facility_type: s for s in ServiceStandard.objects.all()}
