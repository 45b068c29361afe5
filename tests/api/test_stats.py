"""District statistics for planners: JSON and GeoJSON, exact figures from a hand-built register."""

import math

import pytest

import numpy as np

from assets_app.stats import LEVEL_INVALID
from core.roles import STAFF_ROLES
from geodata import boundaries
from geodata.models import District
from tests.assets_app.scenarios import cell_table, to_xy
from tests.conftest import BEJI_POINT

pytestmark = pytest.mark.django_db

BEJI = "32.76.06"


@pytest.fixture
def register(make_asset):
    """Four assets in Beji: a serving SD, an idle SD, a repurposable office, a disposed plot."""
    return {
        "sd": make_asset(use="education", facility_type="sd", land_area_m2=2000.0),
        "idle_sd": make_asset(
            use="education", facility_type="sd", status="idle", land_area_m2=800.0
        ),
        "office": make_asset(use="office", land_area_m2=450.0),
        "plot": make_asset(use="vacant", category="land", status="disposed", land_area_m2=300.0),
    }


def test_kecamatan_statistics_exact(client_as, register):
    # when
    response = client_as("planner").get("/api/v1/stats/districts/?level=kecamatan")
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["level"], body["next"], body["previous"]) == (
        11,
        "kecamatan",
        None,
        None,
    )
    assert body["population_source"].startswith(boundaries.POPULATION_SOURCE_2020)
    rows = {row["code"]: row for row in body["results"]}
    assert list(rows) == sorted(rows)
    beji = rows[BEJI]
    assert beji["population"] == District.objects.get(code=BEJI).population == 195_007
    assert beji["assets"]["total"] == 4
    assert beji["assets"]["by_use"] == {
        "education": 2,
        "health": 0,
        "office": 1,
        "sports": 0,
        "market": 0,
        "vacant": 1,
        "economic": 0,
        "other": 0,
    }
    assert beji["assets"]["by_status"] == {
        "in_service": 2,
        "underused": 0,
        "idle": 1,
        "designated_economic": 0,
        "outlet": 0,
        "disposed": 1,
    }
    assert beji["land_area_m2"] == 2000.0 + 800.0 + 450.0  # the disposed plot is not counted
    # only the office passes every check: the idle SD does not serve, so the serving SD's
    # catchment would lose everyone, and the idle SD fails capacity (none to spare in Beji)
    assert beji["repurposable"] == {"count": 1, "land_area_m2": 450.0}
    sd = beji["facilities"]["sd"]
    assert (sd["count"], sd["needed"], sd["radius_m"], sd["residents_per_facility"]) == (
        1,
        math.ceil(195_007 / 1600),
        1000.0,
        1600,
    )
    # covered share: the population of the kecamatan's cells within 1 km of the serving SD
    cells = cell_table()
    x, y = to_xy(*BEJI_POINT)
    reached = np.hypot(cells["x"] - x, cells["y"] - y) <= 1000.0
    for code, row in rows.items():
        mine = cells["kecamatan"] == code
        expected = float(cells["population"][mine & reached].sum()) / float(
            cells["population"][mine].sum()
        )
        assert row["facilities"]["sd"]["covered_share"] == round(expected, 4)
    assert sd["covered_share"] > 0
    assert beji["facilities"]["puskesmas"] == {
        "count": 0,
        "needed": 2,
        "covered_share": 0.0,
        "radius_m": 3000.0,
        "residents_per_facility": 120_000,
    }
    empty = rows["32.76.10"]
    assert empty["assets"]["total"] == 0
    assert (empty["land_area_m2"], empty["repurposable"]) == (
        0.0,
        {"count": 0, "land_area_m2": 0.0},
    )
    assert sum(row["population"] for row in rows.values()) == boundaries.CITY_POPULATION_2020
    assert "geometry" not in beji


def test_kelurahan_statistics(client_as, register, django_assert_max_num_queries):
    client = client_as("planner")
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/stats/districts/?level=kelurahan")
    body = response.json()
    assert body["count"] == 63
    rows = {row["code"]: row for row in body["results"]}
    kelurahan = register["sd"].kelurahan_id
    assert rows[kelurahan]["assets"]["total"] == 4
    assert rows[kelurahan]["parent_code"] == BEJI
    assert sum(row["assets"]["total"] for row in rows.values()) == 4
    cells = cell_table()
    city = boundaries.CITY_POPULATION_2020
    assert abs(sum(row["population"] for row in rows.values()) - city) <= 63
    assert math.isclose(float(cells["population"].sum()), city, rel_tol=1e-12)


def test_geojson_for_choropleth_maps(client_as, register):
    response = client_as("planner").get("/api/v1/stats/districts/?level=kecamatan&format=geojson")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert (body["numberMatched"], body["numberReturned"]) == (11, 11)
    assert body["level"] == "kecamatan"
    feature = next(f for f in body["features"] if f["id"] == BEJI)
    assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert feature["properties"]["population"] == 195_007
    assert feature["properties"]["facilities"]["sd"]["count"] == 1
    accept = client_as("planner").get(
        "/api/v1/stats/districts/", HTTP_ACCEPT="application/geo+json"
    )
    assert accept.json()["type"] == "FeatureCollection"


def test_default_level_is_kecamatan(client_as):
    body = client_as("asset_officer").get("/api/v1/stats/districts/").json()
    assert (body["level"], body["count"]) == ("kecamatan", 11)


@pytest.mark.parametrize("level", ["province", "", "KECAMATAN"])
def test_unknown_level_is_400(client_as, level):
    response = client_as("planner").get(f"/api/v1/stats/districts/?level={level}")
    assert response.status_code == 400
    assert response.json() == {"level": [str(LEVEL_INVALID)]}


def test_stats_access(role_clients):
    assert role_clients["anonymous"].get("/api/v1/stats/districts/").status_code == 401
    assert role_clients["vendor"].get("/api/v1/stats/districts/").status_code == 403
    for role in STAFF_ROLES:
        assert role_clients[role].get("/api/v1/stats/districts/").status_code == 200
