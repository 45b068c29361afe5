"""Coverage of demand cells by facilities within a service radius, in metres (EPSG:32748).

Pure numpy: no ORM, no shapely. A cell is covered by a facility when the straight-line distance
from the cell's centroid to the facility's point is at most the radius (a cell exactly at the
radius is covered). Everything takes projected x/y arrays in metres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

# Pairwise blocks are bounded so that memory stays flat however many facilities there are.
BLOCK_PAIRS = 2_000_000


@dataclass(frozen=True)
class Demand:
    """The population surface as arrays: one entry per cell."""

    x: np.ndarray
    y: np.ndarray
    population: np.ndarray
    kecamatan: np.ndarray  # codes (str)
    kelurahan: np.ndarray  # codes (str)
    _by_level: dict = field(default_factory=dict, compare=False, repr=False)
    _grids: dict = field(default_factory=dict, compare=False, repr=False)

    def candidates(self, px: float, py: float, reach: float) -> np.ndarray:
        """Indices (ascending) of the cells that may lie within `reach` of (px, py)."""
        return grid_for(self._grids, self.x, self.y, reach).candidates(px, py, reach)

    def pairs_within(
        self, x: np.ndarray, y: np.ndarray, reach: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """(point index, cell index) of every cell that may lie within `reach` of each point
        (x, y): a superset, from one STRtree query; callers decide with their exact test."""
        if len(x) == 0 or len(self) == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        tree = self._grids.get("tree")
        if tree is None:
            tree = self._grids["tree"] = shapely.STRtree(shapely.points(self.x, self.y))
        points, cells = tree.query(shapely.points(x, y), "dwithin", reach * (1 + 1e-9) + 1e-6)
        return points, cells

    def reach_counts(self, fx: np.ndarray, fy: np.ndarray, radius: float) -> np.ndarray:
        """How many of the facilities at (fx, fy) reach each cell: the distance from the cell's
        centroid at most the radius, `covered`'s rule."""
        f, c = self.pairs_within(fx, fy, radius)
        keep = np.hypot(self.x[c] - fx[f], self.y[c] - fy[f]) <= radius
        return np.bincount(c[keep], minlength=len(self))

    def __len__(self) -> int:
        return len(self.x)

    def population_by(self, level: str) -> dict[str, float]:
        """Total population per district code at `level` ("kecamatan" or "kelurahan")."""
        if level not in self._by_level:
            codes = self.kecamatan if level == "kecamatan" else self.kelurahan
            sums = pd.Series(self.population).groupby(codes).sum()
            self._by_level[level] = {str(k): float(v) for k, v in sums.items()}
        return self._by_level[level]


class GridIndex:
    """Points bucketed in square cells of `size` metres, for "which points may be near here".

    `candidates` returns a superset of the points within the reach, in ascending index order,
    so a caller that filters them with its own exact test gets the same points in the same order
    as filtering the whole array would (sums and orderings stay bit for bit the same).
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, size: float):
        self.size = float(size)
        ix = np.floor(x / self.size).astype(np.int64)
        iy = np.floor(y / self.size).astype(np.int64)
        order = np.lexsort((iy, ix))
        self.cells: dict[tuple[int, int], np.ndarray] = {}
        if len(order):
            keys = np.stack([ix[order], iy[order]], axis=1)
            starts = np.flatnonzero(np.any(np.diff(keys, axis=0) != 0, axis=1)) + 1
            bounds = np.concatenate([[0], starts, [len(order)]])
            for start, end in zip(bounds[:-1], bounds[1:], strict=True):
                self.cells[(int(keys[start, 0]), int(keys[start, 1]))] = order[start:end]

    def candidates(self, px: float, py: float, reach: float) -> np.ndarray:
        x0, x1 = math.floor((px - reach) / self.size), math.floor((px + reach) / self.size)
        y0, y1 = math.floor((py - reach) / self.size), math.floor((py + reach) / self.size)
        parts = [
            self.cells[key]
            for key in ((i, j) for i in range(x0, x1 + 1) for j in range(y0, y1 + 1))
            if key in self.cells
        ]
        if not parts:
            return np.empty(0, dtype=np.int64)
        return np.sort(np.concatenate(parts))


def grid_for(cache: dict, x: np.ndarray, y: np.ndarray, reach: float) -> GridIndex:
    """The grid of (x, y) for queries of this reach, built once and kept in `cache`."""
    size = max(float(reach), 1.0)
    grid = cache.get(size)
    if grid is None:
        grid = cache[size] = GridIndex(x, y, size)
    return grid


def distances(x: np.ndarray, y: np.ndarray, px: float, py: float) -> np.ndarray:
    """Distance in metres from every (x, y) to the point (px, py)."""
    return np.hypot(x - px, y - py)


def within_radius(
    x: np.ndarray, y: np.ndarray, px: float, py: float, radius_m: float
) -> np.ndarray:
    """Boolean mask of the points within `radius_m` of (px, py)."""
    return distances(x, y, px, py) <= radius_m


def reach_matrix(
    x: np.ndarray, y: np.ndarray, fx: np.ndarray, fy: np.ndarray, radius_m: float
) -> np.ndarray:
    """(cells x facilities) boolean matrix: facility j reaches cell i within the radius."""
    return np.hypot(x[:, None] - fx[None, :], y[:, None] - fy[None, :]) <= radius_m


def covered(
    x: np.ndarray, y: np.ndarray, fx: np.ndarray, fy: np.ndarray, radius_m: float
) -> np.ndarray:
    """Boolean mask of the cells that at least one facility reaches within the radius."""
    result = np.zeros(len(x), dtype=bool)
    if len(fx) == 0 or len(x) == 0:
        return result
    # Only facilities whose reach can touch the cells' bounding box matter.
    near = (
        (fx >= x.min() - radius_m)
        & (fx <= x.max() + radius_m)
        & (fy >= y.min() - radius_m)
        & (fy <= y.max() + radius_m)
    )
    fx, fy = fx[near], fy[near]
    if len(fx) == 0:
        return result
    step = max(1, BLOCK_PAIRS // len(x))
    for start in range(0, len(fx), step):
        block = reach_matrix(x, y, fx[start : start + step], fy[start : start + step], radius_m)
        result |= block.any(axis=1)
    return result
