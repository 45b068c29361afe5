"""The vertex and part limits: one rule for a GeoJSON write and for a geometry read from a file."""

import pytest

import numpy as np
import shapely

from assets_app.services import geometry_problem
from geodata.spatial import (
    MAX_PARTS,
    MAX_VERTICES,
    TOO_MANY_PARTS,
    TOO_MANY_VERTICES,
    GeometryError,
    parse_geometry,
    size_problem,
    within_size_limits,
)


def ring_polygon(vertices: int) -> shapely.Polygon:
    """A valid polygon with exactly `vertices` coordinates (the closing one included)."""
    angles = np.linspace(0, 2 * np.pi, vertices - 1, endpoint=False)
    return shapely.Polygon(
        np.column_stack([106.8 + 0.01 * np.cos(angles), -6.4 + 0.01 * np.sin(angles)])
    )


def squares(count: int) -> shapely.MultiPolygon:
    return shapely.MultiPolygon([shapely.box(i, 0, i + 0.5, 0.5) for i in range(count)])


def test_the_limits_hold_at_the_edge():
    polygon, too_many = ring_polygon(MAX_VERTICES), ring_polygon(MAX_VERTICES + 1)
    parts, too_many_parts = squares(MAX_PARTS), squares(MAX_PARTS + 1)

    assert shapely.get_num_coordinates(polygon) == MAX_VERTICES
    assert [size_problem(g) for g in (polygon, parts)] == [None, None]
    assert size_problem(too_many) == TOO_MANY_VERTICES % {
        "count": MAX_VERTICES + 1,
        "limit": MAX_VERTICES,
    }
    assert size_problem(too_many_parts) == TOO_MANY_PARTS % {
        "count": MAX_PARTS + 1,
        "limit": MAX_PARTS,
    }
    geoms = np.array([polygon, too_many, parts, too_many_parts, shapely.Point(1, 1)])
    assert within_size_limits(geoms).tolist() == [True, False, True, False, True]


def test_a_file_geometry_meets_the_same_rule_as_a_written_one():
    too_many = ring_polygon(MAX_VERTICES + 1)
    message = TOO_MANY_VERTICES % {"count": MAX_VERTICES + 1, "limit": MAX_VERTICES}

    with pytest.raises(GeometryError) as written:
        parse_geometry(shapely.to_geojson(too_many))

    assert written.value.message == message
    assert geometry_problem(too_many) == message
