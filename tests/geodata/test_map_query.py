"""The map query as a value and a function of a queryset (no request, no view)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assets_app.models import Asset
from geodata.map_query import MapQuery, map_filter, map_matches, map_page
from geodata.spatial import BBox, Near

ROOT = Path(__file__).resolve().parents[2]
WEST, MIDDLE, EAST = (106.800, -6.39), (106.810, -6.39), (106.820, -6.39)


def test_which_queries_page_their_ids():
    box = BBox(106.8, -6.4, 106.9, -6.3)
    assert MapQuery(bbox=box).pages_ids
    assert MapQuery(district="32.76.06").pages_ids
    assert MapQuery(bbox=box, ordering="-id").pages_ids
    assert not MapQuery(bbox=box, ordering="name").pages_ids
    assert not MapQuery(ordering="id").pages_ids
    assert MapQuery(near=Near(106.8, -6.4, 100), ordering="-distance").by_distance


@pytest.fixture
def three(make_asset):
    return [make_asset(lon=lon, lat=lat).pk for lon, lat in (WEST, MIDDLE, EAST)]


def test_bbox_and_near_intersect_in_distance_order(three):
    west, middle, east = three
    query = MapQuery(
        bbox=BBox(106.805, -6.40, 106.830, -6.38),
        near=Near(*EAST, 2000),
        ordering="distance",
    )
    matches = map_matches(Asset.objects.all(), query)
    assert matches.ids == [east, middle]
    assert matches.distances[east] == pytest.approx(0.0, abs=0.01)
    assert set(matches.distances) == {east, middle}


def test_a_page_and_its_count(three):
    query = MapQuery(near=Near(*WEST, 5000), ordering="-id")
    page = map_page(Asset.objects.all(), query, limit=2, offset=1)
    assert page.count == 3
    assert page.items == sorted(three, reverse=True)[1:3]


def test_the_exact_queryset_agrees_with_the_matches(three):
    query = MapQuery(near=Near(*WEST, 1500), ordering="-distance")
    queryset, distances = map_filter(Asset.objects.all(), query)
    assert list(queryset.values_list("pk", flat=True)) == [three[1], three[0]]
    assert set(distances) == {three[0], three[1]}


def test_no_map_state_on_the_request():
    pattern = re.compile(r"geo_ids|geo_distances")
    found = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "api").rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
