"""Outlets and stalls over the API: creation rules, map filters, GeoJSON, stalls, permissions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pyproj import Transformer
from shapely.geometry import Point, box, shape

from assets_app.models import Asset
from geodata.spatial import distance_m, to_geojson
from outlets import services
from outlets.models import Outlet, Stall
from tests.outlets.helpers import make_outlet

pytestmark = pytest.mark.django_db
URL = "/api/v1/outlets/"
BEJI = (106.81794, -6.37229)  # Kelurahan Beji, Kecamatan Beji (32.76.06)
SAWANGAN = (106.76232, -6.39797)  # Kelurahan 32.76.03.1011, Kecamatan Sawangan (32.76.03)


@pytest.fixture
def manager(make_user):
    return make_user("outlet_manager")


def stall(code="K-01", **overrides):
    data = {
        "code": code,
        "kind": "kiosk",
        "area_m2": 6.5,
        "monthly_fee": "250000.00",
        "has_power": True,
        "has_water": False,
    }
    data.update(overrides)
    return data


def test_manager_opens_an_outlet_on_a_designated_asset(make_asset, client_as):
    asset = make_asset(use="economic", status="designated_economic")
    response = client_as("outlet_manager").post(
        URL, {"asset": asset.pk, "name": "Gerai Beji", "opening_hours": "08-21"}, format="json"
    )
    assert response.status_code == 201
    data = response.json()
    outlet = Outlet.objects.get()
    assert data == {
        "id": outlet.pk,
        "asset": asset.pk,
        "asset_register_code": asset.register_code,
        "name": "Gerai Beji",
        "opening_hours": "08-21",
        "manager": outlet.manager_id,
        "managers": [outlet.manager_id],
        "kecamatan_code": "32.76.06",
        "kelurahan_code": "32.76.06.1002",
        "lon": asset.lon,
        "lat": asset.lat,
        "geometry": asset.geometry,
        "stalls": {"total": 0, "vacant": 0, "offered": 0, "leased": 0},
        "distance_m": None,
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
    }
    asset.refresh_from_db()
    assert asset.status == "outlet"
    assert asset.history.first().status == "outlet"
    assert asset.history.first().history_user == outlet.manager
    assert outlet.history.count() == 1


@pytest.mark.parametrize("status", ["in_service", "underused", "idle", "disposed"])
def test_an_asset_not_designated_is_a_400_naming_asset(make_asset, client_as, status):
    asset = make_asset(use="office", status=status)
    response = client_as("outlet_manager").post(
        URL, {"asset": asset.pk, "name": "X"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"asset": [str(services.ASSET_NOT_DESIGNATED)]}
    assert Outlet.objects.count() == 0
    assert Asset.objects.get().status == status


def test_an_asset_with_an_outlet_is_a_409(make_asset, client_as, manager):
    outlet = make_outlet(make_asset, manager)
    Asset.objects.filter(pk=outlet.asset_id).update(status="designated_economic")
    response = client_as(user=manager).post(
        URL, {"asset": outlet.asset_id, "name": "Again"}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {"detail": str(services.ASSET_HAS_OUTLET)}
    assert Outlet.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "X"}, "asset"),
        ({"asset": 999999, "name": "X"}, "asset"),
        ({"asset": "abc", "name": "X"}, "asset"),
        ({"asset": 10**30, "name": "X"}, "asset"),
        ({"asset": 0, "name": "X"}, "asset"),
        ({"asset": "ASSET", "name": ""}, "name"),
        ({"asset": "ASSET", "name": "x" * 201}, "name"),
        ({"asset": "ASSET", "name": "X", "opening_hours": "x" * 201}, "opening_hours"),
    ],
)
def test_bad_outlet_input_is_a_400_naming_the_field(make_asset, client_as, data, field):
    asset = make_asset(use="economic", status="designated_economic")
    data = {k: (asset.pk if v == "ASSET" else v) for k, v in data.items()}
    response = client_as("outlet_manager").post(URL, data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Outlet.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("anonymous", 401),
        ("asset_officer", 403),
        ("asset_approver", 403),
        ("planner", 403),
        ("vendor", 403),
    ],
)
def test_only_managers_open_outlets(make_asset, role_clients, role, code):
    asset = make_asset(use="economic", status="designated_economic")
    response = role_clients[role].post(URL, {"asset": asset.pk, "name": "X"}, format="json")
    assert response.status_code == code
    assert Outlet.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("anonymous", 401),
        ("asset_officer", 200),
        ("asset_approver", 200),
        ("planner", 200),
        ("vendor", 200),
        ("outlet_manager", 200),
    ],
)
def test_staff_and_vendors_read_outlets(make_asset, role_clients, manager, role, code):
    outlet = make_outlet(make_asset, manager)
    assert role_clients[role].get(URL).status_code == code
    assert role_clients[role].get(f"{URL}{outlet.pk}/").status_code == code
    assert role_clients[role].get(f"{URL}{outlet.pk}/stalls/").status_code == code


def test_user_without_a_role_cannot_read_outlets(make_user, client_as):
    assert client_as(user=make_user()).get(URL).status_code == 403


def test_manager_renames_an_outlet(make_asset, client_as, manager):
    outlet = make_outlet(make_asset, manager)
    client = client_as(user=manager)
    response = client.patch(f"{URL}{outlet.pk}/", {"name": "Gerai Baru"}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "Gerai Baru"
    response = client.patch(f"{URL}{outlet.pk}/", {"asset": 5}, format="json")
    assert response.status_code == 400
    assert response.json() == {"asset": [str(services.FIELD_NOT_WRITABLE)]}
    assert client_as("planner").patch(f"{URL}{outlet.pk}/", {"name": "Y"}).status_code == 403
    assert Outlet.objects.get().name == "Gerai Baru"


def test_outlet_map_filters_and_vacancy(make_asset, client_as, manager):
    beji = make_outlet(make_asset, manager, lon=BEJI[0], lat=BEJI[1])
    sawangan = make_outlet(make_asset, manager, lon=SAWANGAN[0], lat=SAWANGAN[1])
    Stall.objects.filter(outlet=sawangan).update(status="leased")
    client = client_as("vendor")

    def ids(query):
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200, response.json()
        return [o["id"] for o in response.json()["results"]]

    assert ids("") == [beji.pk, sawangan.pk]
    assert ids("district=32.76.06") == [beji.pk]
    assert ids("district=32.76.03") == [sawangan.pk]
    assert ids("district=32.76.06.1002") == [beji.pk]
    assert ids("bbox=106.81,-6.38,106.82,-6.37") == [beji.pk]
    assert ids(f"near={BEJI[0]},{BEJI[1]}&radius=500") == [beji.pk]
    assert ids("has_vacancy=true") == [beji.pk]
    assert ids("has_vacancy=false") == [sawangan.pk]
    assert ids("ordering=-id") == [sawangan.pk, beji.pk]
    near = client.get(f"{URL}?near={BEJI[0]},{BEJI[1]}&radius=20000&ordering=distance").json()
    assert [o["id"] for o in near["results"]] == [beji.pk, sawangan.pk]
    assert near["results"][0]["distance_m"] == pytest.approx(0.0, abs=0.01)
    expected = distance_m(BEJI[0], BEJI[1], Point(*SAWANGAN))
    assert near["results"][1]["distance_m"] == pytest.approx(expected, abs=0.01)
    assert round(expected) == 6778


def _three_outlets_with_mixed_stalls(make_asset, manager):
    """Three outlets near Beji: 3 stalls (vacant, offered, leased), 2 vacant, none."""
    stalls = (("A", "kiosk"), ("B", "kiosk"), ("C", "booth"))
    first = make_outlet(make_asset, manager, stalls=stalls, lon=BEJI[0], lat=BEJI[1])
    Stall.objects.filter(outlet=first, code="B").update(status="offered")
    Stall.objects.filter(outlet=first, code="C").update(status="leased")
    second = make_outlet(make_asset, manager, stalls=stalls[:2], lon=BEJI[0] + 0.001, lat=BEJI[1])
    third = make_outlet(make_asset, manager, stalls=(), lon=BEJI[0] + 0.002, lat=BEJI[1])
    return first, second, third


COUNTS = [
    {"total": 3, "vacant": 1, "offered": 1, "leased": 1},
    {"total": 2, "vacant": 2, "offered": 0, "leased": 0},
    {"total": 0, "vacant": 0, "offered": 0, "leased": 0},
]


@pytest.mark.parametrize(
    "query",
    [
        "",
        f"near={BEJI[0]},{BEJI[1]}&radius=1000",
        f"near={BEJI[0]},{BEJI[1]}&radius=1000&ordering=distance",
        "bbox=106.81,-6.38,106.83,-6.37",
        "district=32.76.06&bbox=106.81,-6.38,106.83,-6.37&ordering=id",
    ],
)
def test_outlet_pages_carry_each_outlets_stall_counts(make_asset, client_as, manager, query):
    outlets = _three_outlets_with_mixed_stalls(make_asset, manager)
    client = client_as("planner")
    first = client.get(f"{URL}?{query}&limit=2").json()
    second = client.get(f"{URL}?{query}&limit=2&offset=2").json()
    assert first["count"] == second["count"] == 3
    assert first["next"] is not None
    assert second["next"] is None
    rows = first["results"] + second["results"]
    assert [o["id"] for o in rows] == [o.pk for o in outlets]
    assert [o["stalls"] for o in rows] == COUNTS


def test_outlet_map_page_in_reverse_and_as_geojson(make_asset, client_as, manager):
    outlets = _three_outlets_with_mixed_stalls(make_asset, manager)
    client = client_as("planner")
    near = f"near={BEJI[0]},{BEJI[1]}&radius=1000"
    reverse = client.get(f"{URL}?{near}&ordering=-id").json()["results"]
    assert [o["id"] for o in reverse] == [o.pk for o in reversed(outlets)]
    assert [o["stalls"] for o in reverse] == COUNTS[::-1]
    by_distance = client.get(f"{URL}?{near}&ordering=-distance&limit=1&format=geojson").json()
    assert by_distance["numberMatched"] == 3
    assert by_distance["numberReturned"] == 1
    assert by_distance["features"][0]["id"] == outlets[2].pk
    assert by_distance["features"][0]["properties"]["stalls"] == COUNTS[2]
    assert by_distance["features"][0]["properties"]["distance_m"] == pytest.approx(221.5, abs=1)


def test_outlet_map_page_has_no_count_query(make_asset, client_as, manager):
    _three_outlets_with_mixed_stalls(make_asset, manager)
    client = client_as("planner")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{URL}?near={BEJI[0]},{BEJI[1]}&radius=1000&format=geojson")
    assert response.json()["numberMatched"] == 3
    assert [q["sql"] for q in ctx.captured_queries if "COUNT(*)" in q["sql"]] == []


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("has_vacancy=maybe", "has_vacancy"),
        ("district=99.99", "district"),
        ("bbox=1,2,3", "bbox"),
        ("near=106.8,-6.4", "radius"),
        ("radius=100", "near"),
        ("ordering=asset", "ordering"),
        ("limit=0", "limit"),
    ],
)
def test_bad_outlet_filters_are_a_400_naming_the_parameter(client_as, query, param):
    response = client_as("planner").get(f"{URL}?{query}")
    assert response.status_code == 400
    assert param in response.json()


def test_outlets_as_geojson(make_asset, client_as, manager):
    outlet = make_outlet(make_asset, manager)
    response = client_as("planner").get(f"{URL}?format=geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert data["numberMatched"] == 1
    assert data["numberReturned"] == 1
    feature = data["features"][0]
    assert feature["id"] == outlet.pk
    assert feature["geometry"] == outlet.asset.geometry
    assert feature["properties"]["stalls"] == {"total": 1, "vacant": 1, "offered": 0, "leased": 0}
    assert "geometry" not in feature["properties"]
    accept = client_as("planner").get(URL, HTTP_ACCEPT="application/geo+json")
    assert accept.json()["type"] == "FeatureCollection"


# --- stalls ----------------------------------------------------------------------------------


def test_add_one_stall(make_asset, client_as, manager):
    outlet = make_outlet(make_asset, manager, stalls=())
    response = client_as(user=manager).post(f"{URL}{outlet.pk}/stalls/", stall(), format="json")
    assert response.status_code == 201
    created = Stall.objects.get()
    assert response.json() == {
        "id": created.pk,
        "outlet": outlet.pk,
        "code": "K-01",
        "kind": "kiosk",
        "area_m2": 6.5,
        "monthly_fee": "250000.00",
        "has_power": True,
        "has_water": False,
        "status": "vacant",
        "created_at": response.json()["created_at"],
        "updated_at": response.json()["updated_at"],
    }
    assert created.history.count() == 1


def test_add_a_list_of_stalls(make_asset, client_as, manager):
    outlet = make_outlet(make_asset, manager, stalls=())
    items = [stall("K-01"), stall("K-02"), stall("D-01", kind="kitchen", has_water=True)]
    response = client_as(user=manager).post(f"{URL}{outlet.pk}/stalls/", items, format="json")
    assert response.status_code == 201
    assert [(s["code"], s["kind"]) for s in response.json()] == [
        ("K-01", "kiosk"),
        ("K-02", "kiosk"),
        ("D-01", "kitchen"),
    ]
    assert Stall.objects.count() == 3


@pytest.mark.parametrize(
    ("items", "errors"),
    [
        ([stall("A"), stall("B", area_m2=0)], ["1.area_m2"]),
        ([stall("A"), stall("B", area_m2=-1)], ["1.area_m2"]),
        ([stall("A"), stall("B", area_m2="nan")], ["1.area_m2"]),
        ([stall("A", monthly_fee=-1), stall("B")], ["0.monthly_fee"]),
        ([stall("A", kind="tent")], ["0.kind"]),
        ([stall("A"), stall("A")], ["1.code"]),
        ([stall("K-01")], ["0.code"]),  # already in the outlet
        ([stall(""), {"kind": "kiosk"}], ["0.code", "1.area_m2", "1.code", "1.monthly_fee"]),
        ([stall("A", has_power="perhaps")], ["0.has_power"]),
        ([stall("x" * 33)], ["0.code"]),
        ([1, stall("B")], ["0.non_field_errors"]),
        ([], ["non_field_errors"]),
    ],
)
def test_a_bad_stall_in_a_list_rejects_the_whole_list(
    make_asset, client_as, manager, items, errors
):
    outlet = make_outlet(make_asset, manager, stalls=(("K-01", "kiosk"),))
    response = client_as(user=manager).post(f"{URL}{outlet.pk}/stalls/", items, format="json")
    assert response.status_code == 400
    assert sorted(response.json()) == errors
    assert Stall.objects.count() == 1


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (stall("Z", area_m2=0), "area_m2"),
        (stall("K-01"), "code"),
        (stall("Z", kind="x"), "kind"),
        (stall("Z", monthly_fee="abc"), "monthly_fee"),
    ],
)
def test_a_bad_single_stall_names_the_field(make_asset, client_as, manager, item, field):
    outlet = make_outlet(make_asset, manager)
    response = client_as(user=manager).post(f"{URL}{outlet.pk}/stalls/", item, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Stall.objects.count() == 1


def test_stalls_filtered_by_status(make_asset, client_as, manager):
    outlet = make_outlet(
        make_asset, manager, stalls=(("K-01", "kiosk"), ("K-02", "kiosk"), ("D-01", "kitchen"))
    )
    Stall.objects.filter(code="K-02").update(status="leased")
    client = client_as("vendor")

    def codes(query):
        response = client.get(f"{URL}{outlet.pk}/stalls/?{query}")
        assert response.status_code == 200
        return [s["code"] for s in response.json()["results"]]

    assert codes("") == ["D-01", "K-01", "K-02"]
    assert codes("status=vacant") == ["D-01", "K-01"]
    assert codes("status=leased") == ["K-02"]
    assert codes("status=offered") == []
    assert codes("kind=kitchen") == ["D-01"]
    response = client.get(f"{URL}{outlet.pk}/stalls/?status=broken")
    assert response.status_code == 400
    assert list(response.json()) == ["status"]


def test_stalls_of_a_missing_outlet_are_a_404(client_as, manager):
    assert client_as("planner").get(f"{URL}999/stalls/").status_code == 404
    assert (
        client_as(user=manager).post(f"{URL}999/stalls/", stall(), format="json").status_code == 404
    )


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("anonymous", 401),
        ("asset_officer", 403),
        ("asset_approver", 403),
        ("planner", 403),
        ("vendor", 403),
    ],
)
def test_only_managers_add_stalls(make_asset, role_clients, manager, role, code):
    outlet = make_outlet(make_asset, manager, stalls=())
    response = role_clients[role].post(f"{URL}{outlet.pk}/stalls/", stall(), format="json")
    assert response.status_code == code
    assert Stall.objects.count() == 0


@pytest.mark.parametrize("ordering", ["name", "-name", "-created_at", "", "-id", "distance"])
def test_a_radius_list_leaves_out_the_box_corner_whatever_the_ordering(
    make_asset, client_as, manager, ordering
):
    # given: one outlet at the search point, one 800 m east and 800 m north of it (1,131 m
    # away: inside the radius' bounding box, outside the 1,000 m radius)
    to_utm = Transformer.from_crs(4326, 32748, always_xy=True)
    to_lonlat = Transformer.from_crs(32748, 4326, always_xy=True)
    x, y = to_utm.transform(*BEJI)
    here = make_outlet(make_asset, manager, lon=BEJI[0], lat=BEJI[1])
    corner_lon, corner_lat = to_lonlat.transform(x + 800, y + 800)
    make_outlet(make_asset, manager, lon=corner_lon, lat=corner_lat)

    # when
    response = client_as("planner").get(
        URL, {"near": f"{BEJI[0]},{BEJI[1]}", "radius": 1000, "ordering": ordering}
    )

    # then
    assert response.status_code == 200, response.json()
    assert [o["id"] for o in response.json()["results"]] == [here.pk]
    assert response.json()["count"] == 1


def test_an_outlet_on_a_site_is_measured_to_the_site_edge(make_asset, manager, client_as):
    # given an outlet on a square site about 200 m across, and a search point west of it
    site = box(106.8190, -6.3735, 106.8208, -6.3717)
    outlet = make_outlet(make_asset, manager, geometry=to_geojson(site))
    asset = outlet.asset
    west = (106.8180, -6.3726)
    edge = distance_m(*west, shape(asset.geometry))
    # a radius between the edge and the site's representative point tells them apart
    assert edge + 50 < distance_m(*west, Point(asset.lon, asset.lat))
    client = client_as("vendor")

    # when the radius reaches just past the edge, and just short of it
    reached = client.get(f"{URL}?near={west[0]},{west[1]}&radius={edge + 5}&format=geojson")
    short = client.get(f"{URL}?near={west[0]},{west[1]}&radius={edge - 5}")
    inside = client.get(f"{URL}?near=106.8199,-6.3726&radius=10&ordering=distance")

    # then it is measured to the edge, and from inside it is at 0
    features = reached.json()["features"]
    assert [f["id"] for f in features] == [outlet.pk]
    assert features[0]["properties"]["distance_m"] == pytest.approx(edge, abs=0.01)
    assert short.json()["results"] == []
    assert [(o["id"], o["distance_m"]) for o in inside.json()["results"]] == [(outlet.pk, 0.0)]
