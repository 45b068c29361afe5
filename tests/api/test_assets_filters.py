"""Asset list: the map filters (bbox, near + radius, district) on hand-built cases with known
answers, the plain filters, ordering, paging, GeoJSON output and a 400 for every bad parameter.
"""

import math

import pytest

from pyproj import Transformer

from api.assets.filtersets import AREA_NEGATIVE, AREA_NOT_A_NUMBER, AREA_RANGE_REVERSED, NOT_BOOLEAN
from api.filters import DISTANCE_NEEDS_NEAR, UNKNOWN_DISTRICT
from assets_app.models import Asset
from core.roles import PLANNER

pytestmark = pytest.mark.django_db

URL = "/api/v1/assets/"
TO_UTM = Transformer.from_crs(4326, 32748, always_xy=True)
TO_WGS84 = Transformer.from_crs(32748, 4326, always_xy=True)


def square(min_lon, min_lat, max_lon, max_lat):
    ring = [
        [min_lon, min_lat],
        [max_lon, min_lat],
        [max_lon, max_lat],
        [min_lon, max_lat],
        [min_lon, min_lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def codes(response):
    assert response.status_code == 200, response.json()
    return sorted(item["register_code"] for item in response.json()["results"])


@pytest.fixture
def planner(client_as):
    return client_as(PLANNER)


# --- bbox ---------------------------------------------------------------------------------------

BOX = "106.815,-6.375,106.82,-6.37"


def test_bbox_exact_cases(planner, make_asset):
    # given: a box, and features inside, on its edge, just outside, straddling, and near a corner
    make_asset(register_code="inside", lon=106.817, lat=-6.372)
    make_asset(register_code="on-east-edge", lon=106.82, lat=-6.372)
    make_asset(register_code="on-corner", lon=106.82, lat=-6.37)
    make_asset(register_code="just-east", lon=106.8201, lat=-6.372)
    make_asset(
        register_code="polygon-partly-inside", geometry=square(106.819, -6.373, 106.821, -6.371)
    )
    # its bbox overlaps the box's north-east corner, the triangle itself does not reach it
    triangle = {
        "type": "Polygon",
        "coordinates": [
            [[106.8195, -6.369], [106.8225, -6.369], [106.8225, -6.372], [106.8195, -6.369]]
        ],
    }
    make_asset(register_code="triangle-off-corner", geometry=triangle)
    make_asset(register_code="far-away", lon=106.82521, lat=-6.40132)

    # when
    response = planner.get(URL, {"bbox": BOX})

    # then
    assert codes(response) == ["inside", "on-corner", "on-east-edge", "polygon-partly-inside"]
    assert response.json()["count"] == 4


def test_bbox_as_geojson_feature_collection(planner, make_asset):
    asset = make_asset(register_code="inside", lon=106.817, lat=-6.372, use="office")
    response = planner.get(URL, {"bbox": BOX, "format": "geojson"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert (body["numberMatched"], body["numberReturned"], body["links"]) == (1, 1, [])
    feature = body["features"][0]
    assert feature["type"] == "Feature"
    assert feature["id"] == asset.pk
    assert feature["geometry"] == {"type": "Point", "coordinates": [106.817, -6.372]}
    assert feature["properties"]["register_code"] == "inside"
    assert feature["properties"]["kelurahan_code"] == "32.76.06.1002"
    assert "geometry" not in feature["properties"]


def test_geojson_by_accept_header(planner, make_asset):
    make_asset()
    response = planner.get(URL, HTTP_ACCEPT="application/geo+json")
    assert response["Content-Type"] == "application/geo+json"
    assert response.json()["type"] == "FeatureCollection"


# --- near + radius ------------------------------------------------------------------------------

ORIGIN = (106.81794, -6.37229)


def offset(lon, lat, east_m, north_m):
    """(lon, lat) moved by metres in UTM 48S, rounded as the register stores it (1e-7 deg)."""
    x, y = TO_UTM.transform(lon, lat)
    new_lon, new_lat = TO_WGS84.transform(x + east_m, y + north_m)
    return round(new_lon, 7), round(new_lat, 7)


def metres(a, b):
    ax, ay = TO_UTM.transform(*a)
    bx, by = TO_UTM.transform(*b)
    return ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5


def test_point_exactly_at_the_radius_is_within(planner, make_asset):
    # given: a point 500 m east of the origin; the radius is its exact (stored) distance
    at = offset(*ORIGIN, 500.0, 0.0)
    radius = metres(ORIGIN, at)
    assert radius == pytest.approx(500.0, abs=0.02)
    make_asset(register_code="at-radius", lon=at[0], lat=at[1])
    beyond = offset(*ORIGIN, 0.0, -(radius + 0.05))
    make_asset(register_code="5cm-beyond", lon=beyond[0], lat=beyond[1])
    make_asset(register_code="origin", lon=ORIGIN[0], lat=ORIGIN[1])
    near = f"{ORIGIN[0]},{ORIGIN[1]}"

    # when
    response = planner.get(URL, {"near": near, "radius": repr(radius), "ordering": "distance"})

    # then
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["register_code"], r["distance_m"]) for r in results] == [
        ("origin", 0.0),
        ("at-radius", pytest.approx(radius, abs=1e-6)),
    ]
    # 5 mm less and the point at the radius is out too
    fewer = planner.get(URL, {"near": near, "radius": repr(radius - 0.005)})
    assert codes(fewer) == ["origin"]


@pytest.mark.parametrize("properties", [None, "name"])
def test_points_at_the_radius_in_every_direction_are_within(planner, make_asset, properties):
    # given: a point at 400 m on each of 16 bearings (the diagonals too, where the square of
    # the radius and SQLite's octagon are tightest), the radius the farthest one's stored
    # distance, and a point 5 cm beyond it on each bearing
    bearings = [i * math.pi / 8 for i in range(16)]
    at = []
    for i, angle in enumerate(bearings):
        east, north = math.cos(angle), math.sin(angle)
        at.append(offset(*ORIGIN, 400.0 * east, 400.0 * north))
        make_asset(register_code=f"at-{i}", lon=at[-1][0], lat=at[-1][1])
    radius = max(metres(ORIGIN, point) for point in at)
    assert radius == pytest.approx(400.0, abs=0.02)
    for i, angle in enumerate(bearings):
        east, north = math.cos(angle), math.sin(angle)
        reach = radius + 0.05
        point = offset(*ORIGIN, reach * east, reach * north)
        assert metres(ORIGIN, point) > radius + 0.01
        make_asset(register_code=f"beyond-{i}", lon=point[0], lat=point[1])
    params = {"near": f"{ORIGIN[0]},{ORIGIN[1]}", "radius": repr(radius)}
    if properties:
        params["properties"] = properties  # no distance shown: the points are tested in SQL

    # when
    response = planner.get(URL, {**params, "limit": 100})

    # then: every point at the radius, none beyond it
    assert response.status_code == 200
    assert sorted(r["name"] for r in response.json()["results"]) == sorted(
        Asset.objects.filter(register_code__startswith="at-").values_list("name", flat=True)
    )
    assert response.json()["count"] == 16


@pytest.mark.parametrize("properties", [None, "name"])
def test_a_shape_reaching_into_the_radius_is_within_though_its_point_is_not(
    planner, make_asset, properties
):
    # given: two 100 m squares east of the origin, centred 330 m and 380 m away: the first's
    # west edge is 280 m away, the second's 330 m; the radius is 300 m
    def square_at(east_m):
        corners = [offset(*ORIGIN, east_m + dx, dy) for dx, dy in ((-50, -50), (50, 50))]
        (west, south), (east, north) = corners
        return square(west, south, east, north)

    make_asset(register_code="reaching", name="reaching", geometry=square_at(330.0))
    make_asset(register_code="beyond", name="beyond", geometry=square_at(380.0))
    params = {"near": f"{ORIGIN[0]},{ORIGIN[1]}", "radius": "300"}
    if properties:
        params["properties"] = properties  # the points' test in SQL, the shapes' in shapely

    # when
    response = planner.get(URL, params)

    # then: the square reaching into the radius is in, the other out
    assert response.status_code == 200
    assert [r["name"] for r in response.json()["results"]] == ["reaching"]


def test_polygon_containing_the_search_point_is_at_distance_zero(planner, make_asset):
    make_asset(register_code="around", geometry=square(106.817, -6.373, 106.819, -6.371))
    east = offset(*ORIGIN, 300.0, 0.0)
    make_asset(register_code="east-300", lon=east[0], lat=east[1])
    response = planner.get(
        URL, {"near": f"{ORIGIN[0]},{ORIGIN[1]}", "radius": "1000", "ordering": "-distance"}
    )
    results = response.json()["results"]
    assert [(r["register_code"], r["distance_m"]) for r in results] == [
        ("east-300", pytest.approx(300.0, abs=0.02)),
        ("around", 0.0),
    ]


def test_distance_to_a_polygon_is_to_its_nearest_edge(planner, make_asset):
    # a square drawn in UTM metres whose west edge is 200 m east of the origin
    corners = [(200.0, -50.0), (260.0, -50.0), (260.0, 50.0), (200.0, 50.0), (200.0, -50.0)]
    ring = [list(offset(*ORIGIN, east, north)) for east, north in corners]
    make_asset(register_code="square", geometry={"type": "Polygon", "coordinates": [ring]})
    response = planner.get(URL, {"near": f"{ORIGIN[0]},{ORIGIN[1]}", "radius": "250"})
    [item] = response.json()["results"]
    assert item["distance_m"] == pytest.approx(200.0, abs=0.02)
    assert codes(planner.get(URL, {"near": f"{ORIGIN[0]},{ORIGIN[1]}", "radius": "190"})) == []


def test_distance_m_only_with_near(planner, make_asset):
    make_asset()
    assert "distance_m" not in planner.get(URL).json()["results"][0]


# --- district -----------------------------------------------------------------------------------


def test_district_by_kelurahan_and_by_kecamatan(planner, make_asset):
    make_asset(register_code="kukusan", lon=106.81797, lat=-6.36544)  # 32.76.06.1002
    make_asset(register_code="beji", lon=106.81517, lat=-6.38096)  # 32.76.06.1001
    make_asset(register_code="depok", lon=106.82521, lat=-6.40132)  # 32.76.01.1006
    assert codes(planner.get(URL, {"district": "32.76.06"})) == ["beji", "kukusan"]
    assert codes(planner.get(URL, {"district": "32.76.06.1002"})) == ["kukusan"]
    assert codes(planner.get(URL, {"district": "32.76.01"})) == ["depok"]
    assert codes(planner.get(URL, {"district": "32.76.02"})) == []


def test_unknown_district_is_400(planner, make_asset):
    make_asset()
    response = planner.get(URL, {"district": "32.76.99"})
    assert response.status_code == 400
    assert response.json() == {"district": [str(UNKNOWN_DISTRICT).format(code="32.76.99")]}


# --- plain filters ------------------------------------------------------------------------------


def test_plain_filters(planner, make_asset):
    make_asset(register_code="sd", use="education", facility_type="sd", land_area_m2=1500)
    make_asset(register_code="paud", use="education", facility_type="paud", land_area_m2=300)
    make_asset(
        register_code="pustu", use="health", facility_type="pustu", land_area_m2=200, status="idle"
    )
    make_asset(
        register_code="office",
        use="office",
        land_area_m2=None,
        name="Kantor Kelurahan Kukusan",
        address="Jl. Palakali",
    )
    assert codes(planner.get(URL, {"use": "education"})) == ["paud", "sd"]
    assert codes(planner.get(URL, {"use": "education,health"})) == ["paud", "pustu", "sd"]
    assert codes(planner.get(URL, {"facility_type": "sd"})) == ["sd"]
    assert codes(planner.get(URL, {"status": "idle"})) == ["pustu"]
    assert codes(planner.get(URL, {"min_land_area": "300"})) == ["paud", "sd"]
    assert codes(planner.get(URL, {"max_land_area": "300"})) == ["paud", "pustu"]
    assert codes(planner.get(URL, {"min_land_area": "250", "max_land_area": "1500"})) == [
        "paud",
        "sd",
    ]
    assert codes(planner.get(URL, {"q": "kukusan"})) == ["office"]
    assert codes(planner.get(URL, {"q": "palakali"})) == ["office"]
    assert codes(planner.get(URL, {"q": "PUST"})) == ["pustu"]


def test_repurposable_filter(planner, make_asset):
    a = make_asset(register_code="yes")
    b = make_asset(register_code="no")
    make_asset(register_code="unknown")
    Asset.objects.filter(pk=a.pk).update(repurposable=True)
    Asset.objects.filter(pk=b.pk).update(repurposable=False)
    Asset.objects.exclude(pk__in=[a.pk, b.pk]).update(repurposable=None)
    assert codes(planner.get(URL, {"repurposable": "true"})) == ["yes"]
    assert codes(planner.get(URL, {"repurposable": "false"})) == ["no"]


# --- ordering and paging ------------------------------------------------------------------------


def test_ordering(planner, make_asset):
    make_asset(register_code="b", land_area_m2=300)
    make_asset(register_code="a", land_area_m2=100)
    make_asset(register_code="c", land_area_m2=200)

    def order(value):
        return [r["register_code"] for r in planner.get(URL, {"ordering": value}).json()["results"]]

    assert order("register_code") == ["a", "b", "c"]
    assert order("-land_area_m2") == ["b", "c", "a"]
    assert order("land_area_m2,register_code") == ["a", "c", "b"]
    assert [r["register_code"] for r in planner.get(URL).json()["results"]] == ["b", "a", "c"]


def test_paging_across_pages(planner, make_asset):
    for i in range(7):
        make_asset(register_code=f"A-{i}")
    first = planner.get(URL, {"limit": 3}).json()
    assert first["count"] == 7
    assert [r["register_code"] for r in first["results"]] == ["A-0", "A-1", "A-2"]
    assert first["previous"] is None
    second = planner.get(first["next"]).json()
    assert [r["register_code"] for r in second["results"]] == ["A-3", "A-4", "A-5"]
    third = planner.get(second["next"]).json()
    assert [r["register_code"] for r in third["results"]] == ["A-6"]
    assert third["next"] is None
    back = planner.get(third["previous"]).json()
    assert back == second
    geo = planner.get(URL, {"limit": 3, "offset": 3, "format": "geojson"}).json()
    assert (geo["numberMatched"], geo["numberReturned"]) == (7, 3)
    assert [link["rel"] for link in geo["links"]] == ["next", "prev"]
    assert [f["properties"]["register_code"] for f in geo["features"]] == ["A-3", "A-4", "A-5"]


def test_list_item_equals_the_detail(planner, make_asset):
    asset = make_asset(
        register_code="full",
        item_code="1.3.3.01.01.01.001",
        title_date="2020-02-03",
        book_value="12345.60",
        concrete=True,
        floors=2,
        geometry=square(106.819, -6.373, 106.821, -6.371),
    )
    listed = planner.get(URL).json()["results"][0]
    detail = planner.get(f"{URL}{asset.pk}/").json()
    assert listed == detail
    assert (listed["book_value"], listed["title_date"], listed["concrete"]) == (
        "12345.60",
        "2020-02-03",
        True,
    )


# --- every bad parameter is a 400 naming it -----------------------------------------------------


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "106.82,-6.37,106.81,-6.36"}, "bbox"),
        ({"bbox": "106.8,-95,106.9,-6.3"}, "bbox"),
        ({"bbox": "nan,-6.4,106.9,-6.3"}, "bbox"),
        ({"near": "106.8", "radius": "100"}, "near"),
        ({"near": "x,y", "radius": "100"}, "near"),
        ({"near": "200,-6.3", "radius": "100"}, "near"),
        ({"radius": "100"}, "near"),
        ({"near": "106.8,-6.3"}, "radius"),
        ({"near": "106.8,-6.3", "radius": ""}, "radius"),
        ({"near": "106.8,-6.3", "radius": "-5"}, "radius"),
        ({"near": "106.8,-6.3", "radius": "0"}, "radius"),
        ({"near": "106.8,-6.3", "radius": "50001"}, "radius"),
        ({"near": "106.8,-6.3", "radius": "far"}, "radius"),
        ({"district": "nowhere"}, "district"),
        ({"use": "casino"}, "use"),
        ({"use": "education,casino"}, "use"),
        ({"use": ","}, "use"),
        ({"status": "lost"}, "status"),
        ({"facility_type": "mall"}, "facility_type"),
        ({"repurposable": "maybe"}, "repurposable"),
        ({"min_land_area": "big"}, "min_land_area"),
        ({"min_land_area": "-1"}, "min_land_area"),
        ({"max_land_area": "inf"}, "max_land_area"),
        ({"min_land_area": "500", "max_land_area": "100"}, "min_land_area"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "x"}, "offset"),
        ({"ordering": "secret"}, "ordering"),
        ({"ordering": "distance"}, "ordering"),
        ({"ordering": "name,distance", "near": "106.8,-6.3", "radius": "10"}, "ordering"),
    ],
)
def test_bad_parameter_is_400_naming_it(planner, make_asset, params, name):
    make_asset()
    response = planner.get(URL, params)
    assert response.status_code == 400
    assert list(response.json()) == [name]


def test_bad_parameter_messages(planner):
    assert planner.get(URL, {"ordering": "distance"}).json() == {
        "ordering": [str(DISTANCE_NEEDS_NEAR)]
    }
    assert planner.get(URL, {"repurposable": "maybe"}).json() == {
        "repurposable": [str(NOT_BOOLEAN)]
    }
    assert planner.get(URL, {"min_land_area": "-1"}).json() == {
        "min_land_area": [str(AREA_NEGATIVE)]
    }
    assert planner.get(URL, {"max_land_area": "nan"}).json() == {
        "max_land_area": [str(AREA_NOT_A_NUMBER)]
    }
    assert planner.get(URL, {"min_land_area": "5", "max_land_area": "1"}).json() == {
        "min_land_area": [str(AREA_RANGE_REVERSED)]
    }
    assert planner.get(URL, {"use": "education,casino"}).json() == {
        "use": [
            "Unknown value 'casino'; use one of: education, health, office, sports, market, "
            "vacant, economic, other."
        ]
    }


def test_a_search_point_too_far_to_project_matches_nothing(planner, make_asset, client_as):
    # Found by the fuzz: UTM 48S cannot project lon -160 (a 500 from GEOS before).
    make_asset(register_code="FAR-1")
    query = "near=-160.62285331,-3.1&radius=10913.18&format=geojson&ordering=distance"
    for url in ("/api/v1/assets/", "/api/v1/outlets/"):
        response = client_as("planner").get(f"{url}?{query}")
        assert response.status_code == 200, (url, response.content[:300])
        assert response.json()["features"] == []
