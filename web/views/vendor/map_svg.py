"""A small map of outlets drawn on the server as SVG: the 11 kecamatan outlines, simplified, and
one numbered dot per outlet. No script, no tiles, a few kilobytes, readable with JS off."""

from __future__ import annotations

import math
from functools import lru_cache

from shapely.geometry import shape

from geodata.models import District, DistrictLevel

WIDTH = 320
TOLERANCE = 0.0015  # degrees, about 170 m: enough for a phone-sized outline


@lru_cache(maxsize=1)
def _outlines() -> tuple[tuple[float, float, float, float], tuple[tuple[str, str], ...]]:
    rows = list(
        District.objects.filter(level=DistrictLevel.KECAMATAN, code__startswith="32.76.")
        .order_by("code")
        .values_list("name", "geometry")
    )
    geoms = [(name, shape(geometry).simplify(TOLERANCE)) for name, geometry in rows]
    if not geoms:
        return (106.72, -6.47, 106.92, -6.33), ()
    min_lon = min(g.bounds[0] for _, g in geoms)
    min_lat = min(g.bounds[1] for _, g in geoms)
    max_lon = max(g.bounds[2] for _, g in geoms)
    max_lat = max(g.bounds[3] for _, g in geoms)
    bounds = (min_lon, min_lat, max_lon, max_lat)
    project = _projector(bounds)
    paths = []
    for name, geom in geoms:
        polygons = getattr(geom, "geoms", [geom])
        d = []
        for polygon in polygons:
            points = [project(x, y) for x, y in polygon.exterior.coords]
            d.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
        paths.append((name, "".join(d)))
    return bounds, tuple(paths)


def _projector(bounds):
    min_lon, min_lat, max_lon, max_lat = bounds
    scale_x = math.cos(math.radians((min_lat + max_lat) / 2))
    scale = WIDTH / ((max_lon - min_lon) * scale_x)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - min_lon) * scale_x * scale, (max_lat - lat) * scale

    return project


def outlets_map(described: list[dict]) -> dict | None:
    """{width, height, paths, dots} for the template, or None when there are no outlets."""
    if not described:
        return None
    bounds, paths = _outlines()
    project = _projector(bounds)
    height = project(bounds[0], bounds[1])[1]
    dots = []
    for n, item in enumerate(described, start=1):
        if item["lon"] is None or item["lat"] is None:
            continue
        x, y = project(item["lon"], item["lat"])
        dots.append({"n": n, "x": f"{x:.1f}", "y": f"{y:.1f}", "name": item["outlet"].name})
    return {"width": WIDTH, "height": f"{height:.0f}", "paths": paths, "dots": dots}
