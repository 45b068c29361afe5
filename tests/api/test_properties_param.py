"""`properties=` on the asset and outlet lists (issue 18, point 6): only the names asked for,
with id and geometry, in JSON and GeoJSON, on the plain and the map (bbox, near) paths; an
unknown name is a 400 naming `properties`."""

import orjson
import pytest

from api.properties import UNKNOWN_PROPERTIES
from assets_app.models import Asset
from tests.conftest import BEJI_POINT
from tests.outlets.helpers import make_outlet

pytestmark = pytest.mark.django_db

LON, LAT = BEJI_POINT
BBOX = f"{LON - 0.01},{LAT - 0.01},{LON + 0.01},{LAT + 0.01}"


@pytest.fixture
def three_assets(make_asset):
    return [
        make_asset(name=f"Plot {i}", use="office", lon=LON + i * 0.001, lat=LAT) for i in range(3)
    ]


@pytest.mark.parametrize(
    "extra",
    ["", f"&bbox={BBOX}", f"&near={LON},{LAT}&radius=2000", "&district=32.76.06"],
)
def test_asset_json_list_answers_only_the_names_asked(client_as, three_assets, extra):
    client = client_as("planner")
    full = client.get(f"/api/v1/assets/?limit=10{extra}").json()["results"]
    response = client.get(f"/api/v1/assets/?properties=name,use,status&limit=10{extra}")
    assert response.status_code == 200
    items = response.json()["results"]
    assert [set(item) for item in items] == [{"id", "geometry", "name", "use", "status"}] * 3
    assert [item["name"] for item in items] == ["Plot 0", "Plot 1", "Plot 2"]
    # the same values as the full answer, in the same order
    assert items == [{k: f[k] for k in ("id", "geometry", "name", "use", "status")} for f in full]
    assert len(full[0]) > 20


@pytest.mark.parametrize("extra", ["", f"&bbox={BBOX}"])
def test_asset_geojson_features_keep_id_geometry_and_the_names(client_as, three_assets, extra):
    client = client_as("planner")
    body = client.get(f"/api/v1/assets/?format=geojson&properties=use,name{extra}").json()
    assert body["type"] == "FeatureCollection"
    assert body["numberMatched"] == body["numberReturned"] == 3
    feature = body["features"][0]
    assert set(feature) == {"type", "id", "geometry", "properties"}
    assert feature["id"] == three_assets[0].pk
    assert feature["geometry"] == {"type": "Point", "coordinates": [LON, LAT]}
    # as in every GeoJSON list of the API, the properties repeat the id
    assert feature["properties"] == {"id": three_assets[0].pk, "use": "office", "name": "Plot 0"}


def test_properties_make_the_page_several_times_smaller(client_as, three_assets):
    client = client_as("planner")
    full = client.get(f"/api/v1/assets/?format=geojson&bbox={BBOX}").content
    slim = client.get(f"/api/v1/assets/?format=geojson&bbox={BBOX}&properties=name,use").content
    per_full = len(orjson.dumps(orjson.loads(full)["features"][0]))
    per_slim = len(orjson.dumps(orjson.loads(slim)["features"][0]))
    assert per_slim * 3 < per_full


def test_distance_is_a_property_one_may_ask_for(client_as, three_assets):
    client = client_as("planner")
    items = client.get(
        f"/api/v1/assets/?near={LON},{LAT}&radius=1000&ordering=distance&properties=distance_m"
    ).json()["results"]
    assert [set(i) for i in items] == [{"id", "geometry", "distance_m"}] * 3
    assert items[0]["distance_m"] == 0.0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("name,colour", None),
        ("", "Name at least one property, separated by commas."),
        (" , ", "Name at least one property, separated by commas."),
        (",".join(["name"] * 65), "At most 64 properties."),
    ],
)
def test_bad_properties_are_a_400_naming_the_parameter(client_as, three_assets, value, message):
    response = client_as("planner").get("/api/v1/assets/", {"properties": value})
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["properties"]
    if message is None:
        assert body["properties"][0].startswith(str(UNKNOWN_PROPERTIES).split("%")[0] + "'colour'")
        assert "register_code" in body["properties"][0]
    else:
        assert body["properties"] == [message]
    assert Asset.objects.count() == 3


def test_outlet_lists_take_properties_too(client_as, make_asset, make_user):
    manager = make_user("outlet_manager")
    outlet = make_outlet(make_asset, manager, lon=LON, lat=LAT)
    client = client_as("planner")
    items = client.get("/api/v1/outlets/?properties=name,stalls").json()["results"]
    assert items == [
        {
            "id": outlet.pk,
            "geometry": {"type": "Point", "coordinates": [LON, LAT]},
            "name": outlet.name,
            "stalls": items[0]["stalls"],
        }
    ]
    assert isinstance(items[0]["stalls"], dict)
    body = client.get(f"/api/v1/outlets/?format=geojson&bbox={BBOX}&properties=name").json()
    assert [f["properties"] for f in body["features"]] == [{"id": outlet.pk, "name": outlet.name}]
    bad = client.get("/api/v1/outlets/?properties=register_code")
    assert (bad.status_code, list(bad.json())) == (400, ["properties"])


def test_indonesian_message(client_as, three_assets):
    response = client_as("planner").get("/api/v1/assets/?properties=", HTTP_ACCEPT_LANGUAGE="id")
    assert response.json() == {
        "properties": ["Sebutkan paling sedikit satu properti, dipisah koma."]
    }
