"""`properties=` on the asset map list reads only the columns asked for (issue 18, point 6):
whatever the names (times, dates, decimals, booleans, district codes, the distance), their
order and the path (bbox, near, district; JSON and GeoJSON), the answer is byte for byte the
full answer cut to id, geometry and those names, and the page query selects no other column.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import orjson
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.assets.serializers import asset_page_items
from api.map_list import _checked
from api.properties import project_items
from api.renderers import FeatureList
from assets_app.models import Asset
from core.roles import PLANNER
from tests.conftest import BEJI_POINT

pytestmark = pytest.mark.django_db

LON, LAT = BEJI_POINT
BBOX = f"{LON - 0.01},{LAT - 0.01},{LON + 0.01},{LAT + 0.01}"
NEAR = f"near={LON},{LAT}&radius=3000"
# Every kind of value, in an order that is not the register's.
NAMES = "updated_at,book_value,repurposable,title_date,kelurahan_code,name,floors,concrete"
PATHS = [f"bbox={BBOX}", NEAR, f"{NEAR}&ordering=-distance", "district=32.76.06"]


@pytest.fixture
def assets(make_asset):
    square = [
        [LON + 0.002, LAT],
        [LON + 0.003, LAT],
        [LON + 0.003, LAT + 0.001],
        [LON + 0.002, LAT + 0.001],
        [LON + 0.002, LAT],
    ]
    made = [
        make_asset(
            name="Full",
            title_date=date(2001, 2, 3),
            book_value=Decimal("1234.5"),
            floors=2,
            concrete=True,
        ),
        make_asset(name="Plain", lon=LON + 0.001, book_value=Decimal("0"), concrete=False),
        make_asset(name="Shape", geometry={"type": "Polygon", "coordinates": [square]}),
    ]
    Asset.objects.filter(pk=made[1].pk).update(
        updated_at=datetime(2024, 1, 2, 3, 4, 5, 120000, tzinfo=UTC), repurposable=True
    )
    return made


def _features_cut(body: bytes, names: list[str]) -> bytes:
    """The full GeoJSON answer cut as `properties=` promises (id first in the properties)."""
    data = orjson.loads(body)
    features = FeatureList(data["features"])
    data["features"] = project_items(features, tuple(names))
    return orjson.dumps(data)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("names", [NAMES, f"distance_m,{NAMES}", "name,distance_m,use"])
def test_geojson_is_the_full_answer_cut(client_as, assets, path, names):
    client = client_as(PLANNER)
    full = client.get(f"/api/v1/assets/?format=geojson&{path}")
    cut = client.get(f"/api/v1/assets/?format=geojson&{path}&properties={names}")
    assert cut.status_code == 200
    assert orjson.loads(full.content)["numberReturned"] == 3
    # byte for byte: the same keys in the same order, the same values
    assert orjson.dumps(orjson.loads(cut.content)) == _features_cut(full.content, names.split(","))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("names", [NAMES, f"{NAMES},distance_m"])
def test_json_is_the_full_answer_cut(client_as, assets, path, names):
    client = client_as(PLANNER)
    full = client.get(f"/api/v1/assets/?{path}").json()["results"]
    cut = client.get(f"/api/v1/assets/?{path}&properties={names}").json()["results"]
    wanted = ["id", "geometry", *names.split(",")]
    expected = [{k: item[k] for k in wanted if k in item} for item in full]
    assert [list(item.items()) for item in cut] == [list(item.items()) for item in expected]
    assert ("distance_m" in cut[0]) == ("distance_m" in names and "near" in path)


def test_the_page_query_reads_only_the_columns_asked(assets):
    ids = [asset.pk for asset in assets]
    with CaptureQueriesContext(connection) as queries:
        items = asset_page_items(ids, features=True, names=("name", "book_value"))
    (sql,) = [q["sql"] for q in queries.captured_queries]
    selected = sql.split(" FROM ")[0]
    assert "book_value" in selected
    assert "name" in selected
    for column in ("register_code", "notes", "updated_at", "kelurahan_id", "title_date"):
        assert column not in selected
    assert items[0]["properties"] == {"id": ids[0], "name": "Full", "book_value": "1234.50"}
    assert [item["id"] for item in items] == ids


def test_items_a_view_did_not_cut_are_cut_by_the_list():
    # an item method that ignored `properties=` still answers only what was asked
    full = [{"id": 1, "geometry": None, "name": "A", "use": "office"}]
    assert _checked(full, ("name",)) == [{"id": 1, "geometry": None, "name": "A"}]
    features = FeatureList(
        [{"type": "Feature", "id": 1, "geometry": None, "properties": {"id": 1, "use": "x"}}]
    )
    assert _checked(features, ("use",)) is features
    assert _checked(features, ("name",))[0]["properties"] == {"id": 1}


@pytest.mark.parametrize("url", ["/api/v1/assets/", "/api/v1/outlets/"])
@pytest.mark.parametrize("fmt", ["json", "geojson"])
@pytest.mark.parametrize("path", ["", *PATHS])
def test_an_unknown_name_is_a_400_naming_properties_on_every_list(client_as, url, fmt, path):
    response = client_as(PLANNER).get(f"{url}?format={fmt}&{path}&properties=name,colour")
    assert response.status_code == 400
    assert list(response.json()) == ["properties"]
    assert "'colour'" in response.json()["properties"][0]


def test_geojson_asked_by_accept_header_is_cut_too(client_as, assets):
    response = client_as(PLANNER).get(
        f"/api/v1/assets/?bbox={BBOX}&properties=name", HTTP_ACCEPT="application/geo+json"
    )
    assert response["Content-Type"].startswith("application/geo+json")
    properties = [f["properties"] for f in response.json()["features"]]
    assert properties == [{"id": a.pk, "name": a.name} for a in assets]
