"""Every API answer that shows population carries its year (2020 or newer) and its source
(issue 18, point 2): the districts, the district statistics (JSON and GeoJSON), an asset's
assessment and the what-if of a set."""

import re

import pytest

from core.roles import PLANNER

pytestmark = pytest.mark.django_db

SOURCE = "BPS Kota Depok, Sensus Penduduk 2020"


@pytest.fixture
def planner(client_as):
    return client_as(PLANNER)


def _year_in(label: str) -> int:
    """The newest year a label names."""
    return max(int(y) for y in re.findall(r"\b(20[0-9]{2})\b", label))


@pytest.mark.parametrize("fmt", ["json", "geojson"])
def test_every_district_figure_has_its_year_and_source(planner, fmt):
    body = planner.get(f"/api/v1/districts/?limit=100&format={fmt}").json()
    items = [f["properties"] for f in body["features"]] if fmt == "geojson" else body["results"]
    with_population = [d for d in items if d["population"] is not None]
    assert len(with_population) >= 11  # the eleven kecamatan at least
    for district in with_population:
        assert district["population_year"] >= 2020
        assert district["population_source"].startswith(SOURCE)


@pytest.mark.parametrize("level", ["kecamatan", "kelurahan"])
def test_district_statistics_carry_the_year_beside_the_source(planner, level):
    body = planner.get(f"/api/v1/stats/districts/?level={level}").json()
    assert body["population_year"] >= 2020
    assert body["population_source"].startswith(SOURCE)
    assert _year_in(body["population_source"]) == body["population_year"]
    assert sum(d["population"] for d in body["results"]) > 2_000_000


def test_district_statistics_as_geojson_carry_them_too(planner):
    body = planner.get("/api/v1/stats/districts/?format=geojson").json()
    assert body["type"] == "FeatureCollection"
    assert body["population_year"] >= 2020
    assert body["population_source"].startswith(SOURCE)


def test_an_assessment_names_its_figures_year_and_source(planner, make_asset):
    asset = make_asset(use="education", facility_type="sd", status="idle", land_area_m2=800.0)
    body = planner.get(f"/api/v1/assets/{asset.pk}/assessment/").json()
    # the stored assessment keeps the label of the figures it was computed with
    assert body["population_source"].startswith(SOURCE)
    assert _year_in(body["population_source"]) >= 2020
    assert body["coverage"]["kecamatan_population"] > 0


def test_a_scenario_names_its_figures_year_and_source(planner, make_asset):
    asset = make_asset(use="education", facility_type="sd", status="idle", land_area_m2=800.0)
    response = planner.post(
        "/api/v1/scenarios/repurposing/", {"assets": [asset.pk]}, content_type="application/json"
    )
    assert response.status_code == 200
    source = response.json()["population_source"]
    assert source["year"] >= 2020
    assert source["source"].startswith(SOURCE)
