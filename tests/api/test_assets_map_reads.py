"""The map list's fast read path: the page rows read by primary key in one plain query give
exactly what the serializer gives, the bbox prefilter's lower bound (the widest feature) never
drops a wide feature, and a map query reads the asset table twice (candidates, then the page).
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import orjson
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import numpy as np
import shapely
from pyproj import Transformer

from api.assets.serializers import AssetSerializer, asset_page_items, page_fields
from assets_app.models import Asset
from assets_app.selectors import (
    ROWS_WITH_CANDIDATES,
    asset_map_page,
    asset_output_rows,
    output_decoded,
    output_select,
)
from core.roles import PLANNER
from geodata.map_query import MapQuery, map_page_rows
from geodata.spatial import BBox, Near

pytestmark = pytest.mark.django_db

URL = "/api/v1/assets/"
BOX = "106.815,-6.375,106.82,-6.37"
TO_UTM = Transformer.from_crs(4326, 32748, always_xy=True)


def square(min_lon, min_lat, max_lon, max_lat):
    ring = [
        [min_lon, min_lat],
        [max_lon, min_lat],
        [max_lon, max_lat],
        [min_lon, max_lat],
        [min_lon, min_lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def planner(client_as):
    return client_as(PLANNER)


def test_page_items_are_what_the_serializer_gives(make_asset):
    # given: assets with every kind of value, times with and without a fraction of a second
    full = make_asset(
        register_code="FULL",
        category="building",
        use="education",
        facility_type="sd",
        item_code="1.3.3.01.01.01.001",
        custodian="Dinas Pendidikan",
        address="Jl. Margonda 1",
        building_area_m2=120.25,
        floors=2,
        concrete=True,
        condition="minor_damage",
        title_type="hak_pakai",
        title_number="12/2001",
        title_date=date(2001, 2, 3),
        origin="grant",
        acquisition_year=1999,
        book_value=Decimal("1234.5"),
        notes="Catatan",
    )
    plain = make_asset(register_code="PLAIN", concrete=False, book_value=Decimal("0"))
    shape = make_asset(register_code="SHAPE", geometry=square(106.816, -6.373, 106.817, -6.372))
    Asset.objects.filter(pk=plain.pk).update(
        created_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        updated_at=datetime(2024, 1, 2, 3, 4, 5, 120000, tzinfo=UTC),
        repurposable=True,
    )
    ids = [shape.pk, full.pk, plain.pk]

    # when
    items = orjson.loads(orjson.dumps(asset_page_items(ids)))

    # then: the same dicts, in the order asked
    expected = [
        orjson.loads(orjson.dumps(AssetSerializer(Asset.objects.get(pk=pk)).data)) for pk in ids
    ]
    assert items == expected
    assert [item["register_code"] for item in items] == ["SHAPE", "FULL", "PLAIN"]
    assert items[2]["created_at"] == "2024-01-02T03:04:05Z"
    assert items[2]["updated_at"] == "2024-01-02T03:04:05.120000Z"
    assert items[1]["book_value"] == "1234.50"
    assert items[1]["concrete"] is True
    assert items[2]["concrete"] is False
    assert items[2]["repurposable"] is True


def test_page_items_of_nothing_and_of_unknown_ids(make_asset):
    asset = make_asset()
    assert asset_page_items([]) == []
    assert [item["id"] for item in asset_page_items([asset.pk + 1000, asset.pk])] == [asset.pk]


def test_bbox_finds_a_wide_feature_reaching_in_from_far_west(planner, make_asset):
    # given: a long strip whose west end lies far outside the box, and smaller features
    make_asset(register_code="wide", geometry=square(106.76, -6.3725, 106.8155, -6.3722))
    make_asset(register_code="inside", lon=106.817, lat=-6.372)
    make_asset(register_code="west", lon=106.80, lat=-6.372)

    # when
    response = planner.get(URL, {"bbox": BOX})

    # then
    assert response.status_code == 200
    assert sorted(item["register_code"] for item in response.json()["results"]) == [
        "inside",
        "wide",
    ]


def test_near_measures_a_wide_feature_from_its_geometry(planner, make_asset):
    # given: the strip's east end is about 220 m west of the search point
    strip = square(106.76, -6.3725, 106.8155, -6.3722)
    make_asset(register_code="wide", geometry=strip)
    make_asset(register_code="point", lon=106.8175, lat=-6.3723)
    origin = shapely.Point(TO_UTM.transform(106.8175, -6.3723))
    expected = shapely.transform(shapely.from_geojson(orjson.dumps(strip)), _to_utm).distance(
        origin
    )

    # when
    response = planner.get(URL, {"near": "106.8175,-6.3723", "radius": 300, "ordering": "distance"})

    # then
    assert response.status_code == 200
    results = response.json()["results"]
    assert [item["register_code"] for item in results] == ["point", "wide"]
    assert results[0]["distance_m"] == 0.0
    assert results[1]["distance_m"] == pytest.approx(expected, abs=1e-3)
    assert 200 < results[1]["distance_m"] < 240


def _to_utm(xy):
    x, y = TO_UTM.transform(xy[:, 0], xy[:, 1])
    return shapely.get_coordinates(shapely.points(x, y))


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": BOX},
        {"near": "106.8175,-6.372", "radius": 500},
        {"district": "32.76.06.1002"},
    ],
    ids=["bbox", "radius", "district"],
)
def test_a_map_query_reads_the_candidates_then_the_page(planner, make_asset, params):
    # given: points, and a square that straddles the box's east edge and is not a point
    for i in range(5):
        make_asset(register_code=f"A-{i}", lon=106.816 + i * 0.0005, lat=-6.372)
    make_asset(register_code="square", geometry=square(106.8195, -6.3705, 106.8205, -6.3695))

    # when
    with CaptureQueriesContext(connection) as queries:
        response = planner.get(URL, {**params, "format": "geojson", "limit": 1000})

    # then: on PostgreSQL a bbox or radius query whose matches fit the page reads the page's
    # columns with its candidates from the bbox index, in one query (the widest-feature bound
    # inside it, capped), on SQLite from its R*Tree; for a district, the district's ids, then
    # the page by primary key. No COUNT, no other read.
    assert response.status_code == 200
    asset_queries = [q["sql"] for q in queries.captured_queries if "assets_app_asset" in q["sql"]]
    if "district" in params:
        ids, page = asset_queries
    elif connection.vendor in ROWS_WITH_CANDIDATES:
        [page] = asset_queries
        assert "DESC LIMIT 1)" in page
        assert page.rstrip().endswith("LIMIT 1551")  # the cap: (0 + 1000) * 3 // 2 + 50, plus one
    else:
        # SQLite: the candidates from the R*Tree, their rows with them, in one query
        [page] = asset_queries
        assert '"assets_app_asset_rtree"' in page
        assert page.rstrip().endswith("LIMIT 1551")
    assert not any("COUNT(" in sql.upper() for sql in asset_queries)
    assert response.json()["numberReturned"] == response.json()["numberMatched"] == 6


@pytest.mark.parametrize(
    "params",
    [{"bbox": "106.80,-6.40,106.83,-6.36"}, {"near": "106.815,-6.38", "radius": 3000}],
    ids=["bbox", "radius"],
)
def test_more_matches_than_the_cap_are_paged_from_their_ids(planner, make_asset, params):
    # given: 60 assets in the box and the radius, more than a page of 5 may read at once
    # ((0 + 5) * 3 // 2 + 50 = 57 candidates)
    for i in range(60):
        make_asset(
            register_code=f"M-{i:02d}", lon=106.81 + (i % 10) * 0.001, lat=-6.38 + i // 10 * 0.001
        )

    # when
    with CaptureQueriesContext(connection) as queries:
        first = planner.get(URL, {**params, "limit": 5})
        second = planner.get(URL, {**params, "limit": 5, "offset": 55})

    # then: the capped read gives up, the ids and then the page are read, and the pages are
    # the right ones of all 60
    assert first.status_code == second.status_code == 200
    assert first.json()["count"] == second.json()["count"] == 60
    codes = [item["register_code"] for item in first.json()["results"] + second.json()["results"]]
    assert codes == [f"M-{i:02d}" for i in (*range(5), *range(55, 60))]
    capped = [q["sql"] for q in queries.captured_queries if q["sql"].rstrip().endswith("LIMIT 58")]
    # PostgreSQL, and SQLite through its R*Tree: the second page's cap (55 + 5) * 3 // 2 + 50 =
    # 140 holds them
    assert len(capped) == 1


@pytest.fixture
def ring_of_assets(make_asset):
    """Points 100, 300 and 600 m east of the search point, and a square whose bbox reaches into
    the radius while the square itself stays outside it (a near miss the bbox cannot decide)."""
    x, y = TO_UTM.transform(106.8175, -6.3723)
    to_lonlat = Transformer.from_crs(32748, 4326, always_xy=True)
    for name, dx in (("c-100", 100), ("a-300", 300), ("b-600", 600)):
        lon, lat = to_lonlat.transform(x + dx, y)
        make_asset(register_code=name, name=name, lon=lon, lat=lat)
    # a 100 m square whose nearest corner is 460 m away (diagonal), its bbox edges 325 m away
    lon0, lat0 = to_lonlat.transform(x + 325, y + 325)
    lon1, lat1 = to_lonlat.transform(x + 425, y + 425)
    make_asset(register_code="d-corner", name="d-corner", geometry=square(lon0, lat0, lon1, lat1))


@pytest.mark.parametrize("ordering", ["name", "-name", "distance", "", "-id"])
def test_a_radius_query_is_exact_whatever_the_ordering(planner, ring_of_assets, ordering):
    response = planner.get(URL, {"near": "106.8175,-6.3723", "radius": 400, "ordering": ordering})

    assert response.status_code == 200
    codes = [item["register_code"] for item in response.json()["results"]]
    assert response.json()["count"] == 2
    expected = {
        "name": ["a-300", "c-100"],
        "-name": ["c-100", "a-300"],
        "distance": ["c-100", "a-300"],
        "": ["c-100", "a-300"],  # by id
        "-id": ["a-300", "c-100"],
    }[ordering]
    assert codes == expected


def test_export_with_a_radius_and_distance_ordering_is_exact(client_as, ring_of_assets):
    response = client_as(PLANNER).get(
        "/api/v1/assets/export/",
        {"format": "csv", "near": "106.8175,-6.3723", "radius": 700, "ordering": "-distance"},
    )

    assert response.status_code == 200
    lines = response.getvalue().decode().splitlines()
    column = lines[0].split(",").index("register_code")
    codes = [line.split(",")[column] for line in lines[1:]]
    assert codes == ["b-600", "d-corner", "a-300", "c-100"]


# A triangle whose bbox overlaps NEAR_MISS_BOX but whose shape does not reach it: the boxes
# overlap (106.8205..106.821, -6.3745..-6.372); the triangle's part west of 106.821 lies north of
# -6.3715, outside the box.
NEAR_MISS_TRIANGLE = {
    "type": "Polygon",
    "coordinates": [
        [[106.8240, -6.3745], [106.8240, -6.3710], [106.8205, -6.3710], [106.8240, -6.3745]]
    ],
}
NEAR_MISS_BOX = "106.815,-6.375,106.821,-6.372"


def test_a_bbox_list_ordered_by_name_leaves_out_the_near_miss(planner, make_asset):
    # given: a triangle whose bbox overlaps the box but whose shape does not reach it
    make_asset(register_code="triangle", name="triangle", geometry=NEAR_MISS_TRIANGLE)
    make_asset(register_code="inside", name="inside", lon=106.8170, lat=-6.3730)

    for ordering in ("name", ""):
        response = planner.get(URL, {"bbox": NEAR_MISS_BOX, "ordering": ordering})
        assert response.status_code == 200
        assert [i["register_code"] for i in response.json()["results"]] == ["inside"]
        assert response.json()["count"] == 1


@pytest.mark.parametrize("ordering", ["", "name", "distance", "-id"])
def test_bbox_and_radius_together_keep_only_what_meets_both(planner, make_asset, ordering):
    # given: the bbox near-miss triangle above, which lies within the radius; a point in both;
    # a point in the box but outside the radius; a point in the radius but outside the box
    make_asset(register_code="triangle", name="a-triangle", geometry=NEAR_MISS_TRIANGLE)
    make_asset(register_code="both", name="b-both", lon=106.8200, lat=-6.3730)
    make_asset(register_code="box-only", name="c-box-only", lon=106.8155, lat=-6.3745)
    make_asset(register_code="radius-only", name="d-radius-only", lon=106.8212, lat=-6.3700)

    # when: 500 m around a point between them
    params = {"bbox": NEAR_MISS_BOX, "near": "106.8210,-6.3725", "radius": 500}
    response = planner.get(URL, {**params, "ordering": ordering})

    # then
    assert response.status_code == 200, response.content
    assert [i["register_code"] for i in response.json()["results"]] == ["both"]
    assert response.json()["count"] == 1


def test_a_bbox_with_another_filter_reads_only_the_matching_rows(planner, make_asset):
    # given: a school and an office in the box, a school outside it
    make_asset(register_code="school-in", use="education", lon=106.8170, lat=-6.3730)
    make_asset(register_code="office-in", use="office", lon=106.8171, lat=-6.3731)
    make_asset(register_code="school-out", use="education", lon=106.8300, lat=-6.3730)

    # when
    with CaptureQueriesContext(connection) as queries:
        response = planner.get(URL, {"bbox": BOX, "use": "education", "format": "geojson"})

    # then: the use filter is part of the candidate query itself
    assert response.status_code == 200
    assert [f["properties"]["register_code"] for f in response.json()["features"]] == ["school-in"]
    [candidates] = [q["sql"] for q in queries.captured_queries if '"min_lon" <=' in q["sql"]]
    assert "DESC LIMIT 1)" in candidates or '"assets_app_asset_rtree"' in candidates
    assert '"use"' in candidates


@pytest.mark.parametrize("fmt", ["json", "geojson"])
@pytest.mark.parametrize("ordering", ["", "-id", "distance", "name"])
def test_a_shape_within_the_radius_is_measured_to_its_edge(planner, make_asset, ordering, fmt):
    # given: a 100 m square whose west edge is 50 m east of the search point, so that its
    # representative point (inside it, about 100 m away) is within the radius too; and a point
    # 80 m north
    x, y = TO_UTM.transform(106.8175, -6.3723)
    to_lonlat = Transformer.from_crs(32748, 4326, always_xy=True)
    lon0, lat0 = to_lonlat.transform(x + 50, y - 50)
    lon1, lat1 = to_lonlat.transform(x + 150, y + 50)
    make_asset(register_code="square", name="a", geometry=square(lon0, lat0, lon1, lat1))
    stored = Asset.objects.get(register_code="square").geometry  # rounded to 1e-7 degrees
    edge = shapely.transform(shapely.from_geojson(orjson.dumps(stored)), _to_utm).distance(
        shapely.Point(x, y)
    )
    lon, lat = to_lonlat.transform(x, y + 80)
    make_asset(register_code="point", name="b", lon=lon, lat=lat)

    # when
    response = planner.get(
        URL,
        {"near": "106.8175,-6.3723", "radius": 150, "ordering": ordering, "format": fmt},
    )

    # then: the square's distance is to its edge, not to its point
    assert response.status_code == 200
    body = response.json()
    items = body["results"] if fmt == "json" else [f["properties"] for f in body["features"]]
    distances = {item["register_code"]: item["distance_m"] for item in items}
    assert 49 < edge < 52
    assert distances["square"] == pytest.approx(edge, abs=1e-3)
    assert distances["point"] == pytest.approx(80, abs=0.05)


def test_a_page_read_with_its_candidates_equals_the_page_read_by_id(make_asset):
    # given: points and small squares scattered over a few hundred metres, some squares
    # straddling the box's edges or reaching into the radius' square without meeting its circle
    rng = np.random.default_rng(7)
    for i in range(40):
        lon, lat = 106.814 + rng.uniform(0, 0.008), -6.376 + rng.uniform(0, 0.008)
        if i % 4:
            make_asset(register_code=f"P-{i}", lon=lon, lat=lat, concrete=bool(i % 3))
        else:
            shape = square(lon, lat, lon + 0.0008, lat + 0.0006)
            make_asset(register_code=f"S-{i}", geometry=shape)
    queries = [
        MapQuery(bbox=BBox(106.8155, -6.3745, 106.8195, -6.3705)),
        MapQuery(bbox=BBox(106.8155, -6.3745, 106.8195, -6.3705), ordering="-id"),
        MapQuery(near=Near(106.818, -6.372, 300.0)),
        MapQuery(near=Near(106.818, -6.372, 300.0), ordering="distance"),
    ]
    for query in queries:
        for names in (None, ("name", "concrete", "title_date", "book_value", "distance_m")):
            for features in (True, False):
                fields = page_fields(features=features, names=names, near=query.near is not None)
                for offset in (0, 3):
                    # when: the page read with its candidates, and the ids then the page by id
                    select = output_select(fields)
                    page = map_page_rows(Asset.objects.all(), query, select, limit=7, offset=offset)
                    by_id = asset_map_page(Asset.objects.all(), query, limit=7, offset=offset)

                    # then: the same rows in the same order, the same count and distances
                    assert page.rows
                    assert not by_id.rows
                    rows = output_decoded(page.items, fields)
                    assert rows == asset_output_rows(by_id.items, fields)
                    assert (page.count, page.distances) == (by_id.count, by_id.distances)
                    assert 0 < len(page.items) <= 7
                    # and without distances (items that do not show them): the same rows,
                    # measured only when the order is by distance
                    bare = map_page_rows(
                        Asset.objects.all(), query, select, limit=7, offset=offset, distances=False
                    )
                    assert output_decoded(bare.items, fields) == rows
                    assert bare.count == page.count
                    measured = query.near is not None and query.by_distance
                    assert bare.distances == (page.distances if measured else None)
