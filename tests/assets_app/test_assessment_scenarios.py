"""Hand-built scenarios on the real Depok boundaries and the shipped population cells (SP2020
since issue 18).

Expected figures are reckoned independently in `scenarios.expected_coverage` (pyproj and numpy
straight over the cell table), then compared for equality with the service's answer.
"""

import math

import pytest

import numpy as np

from assets_app.assessment import CONDITION_FAILS, NOT_APPLICABLE
from assets_app.models import Asset
from assets_app.repurposing import asset_assessment, assets_assess
from geodata.models import District
from tests.assets_app.scenarios import (
    SAWANGAN,
    bulk_facilities,
    central_node,
    edge_node,
    expected_coverage,
    grid_nodes,
    to_lonlat,
)
from tests.conftest import BEJI_POINT

pytestmark = pytest.mark.django_db

SD_RADIUS = 1000.0
SD_RESIDENTS = 1600


def by_rule(result) -> dict:
    return {check["rule"]: check for check in result["checks"]}


@pytest.fixture
def sawangan_grid(make_asset):
    """A 600 m grid of SDs over Sawangan: each node a compound of two SDs (Sawangan needs
    ceil(146,071 / 1,600) = 92 SDs in SP2020; the grid has 74 nodes), except the central node and
    the node nearest the border, which hold one SD each, registered through the service."""
    nodes = grid_nodes(SAWANGAN)
    centre, edge = central_node(SAWANGAN, nodes), edge_node(SAWANGAN, nodes)
    single = {centre, edge}
    twins = [tuple(p) for i, p in enumerate(nodes) if i not in single]
    bulk_facilities(twins + twins)
    assets_assess()
    central = make_asset(
        use="education",
        facility_type="sd",
        lon=to_lonlat(*nodes[centre])[0],
        lat=to_lonlat(*nodes[centre])[1],
    )
    border = make_asset(
        use="education",
        facility_type="sd",
        lon=to_lonlat(*nodes[edge])[0],
        lat=to_lonlat(*nodes[edge])[1],
    )
    return {"nodes": nodes, "central": central, "edge": border}


def test_grid_is_as_described(sawangan_grid):
    sds = Asset.objects.filter(facility_type="sd")
    assert len(sawangan_grid["nodes"]) == 74
    assert sds.count() == 2 * 74 - 2
    assert set(sds.values_list("kecamatan_id", flat=True)) == {SAWANGAN}
    population = District.objects.get(code=SAWANGAN).population
    assert population == 146_071  # SP2020 (issue 18; 123,356 in SP2010)
    assert math.ceil(population / SD_RESIDENTS) == 92


def test_central_sd_of_a_full_grid_is_repurposable(sawangan_grid):
    # given
    central = sawangan_grid["central"]
    others = Asset.objects.filter(facility_type="sd").exclude(pk=central.pk)
    expected = expected_coverage(central, others, SD_RADIUS)
    # when
    result = asset_assessment(asset=central)
    # then
    checks = by_rule(result)
    assert checks["coverage"]["passed"] is True
    assert checks["coverage"]["newly_uncovered_population"] == 0
    assert expected["newly_uncovered_population"] == 0
    assert checks["coverage"]["covered_population"] == expected["covered_population"]
    assert checks["coverage"]["nearest_alternative_m"] == pytest.approx(600.0, abs=0.2)
    assert checks["capacity"] == {
        "rule": "capacity",
        "passed": True,
        "detail": checks["capacity"]["detail"],
        "needed": 92,
        "available_after": 2 * 74 - 3,
        "kecamatan": SAWANGAN,
        "kecamatan_population": 146_071,
    }
    assert result["repurposable"] is True
    central.refresh_from_db()
    assert central.repurposable is True  # stored when it was registered into the grid


def test_edge_sd_fails_coverage_across_the_border_while_capacity_passes(sawangan_grid):
    # given: the SD nearest Sawangan's border; the neighbouring kecamatan have no SD at all
    edge = sawangan_grid["edge"]
    others = Asset.objects.filter(facility_type="sd").exclude(pk=edge.pk)
    expected = expected_coverage(edge, others, SD_RADIUS)
    # when
    result = asset_assessment(asset=edge)
    # then
    checks = by_rule(result)
    assert expected["newly_uncovered_population"] > 0
    assert (
        checks["coverage"]["newly_uncovered_population"] == expected["newly_uncovered_population"]
    )
    assert checks["coverage"]["covered_population"] == expected["covered_population"]
    assert checks["coverage"]["passed"] is False
    # the residents who would lose their SD include some outside Sawangan
    assert set(expected["lost_kecamatan"]) - {SAWANGAN}
    assert (checks["capacity"]["passed"], checks["capacity"]["needed"]) == (True, 92)
    assert checks["capacity"]["available_after"] == 2 * 74 - 3
    assert result["repurposable"] is False


def test_lone_sd_fails_capacity_and_coverage(make_asset):
    # given: the only SD in Depok, in Beji
    sd = make_asset(use="education", facility_type="sd", lon=BEJI_POINT[0], lat=BEJI_POINT[1])
    expected = expected_coverage(sd, [], SD_RADIUS)
    # when
    result = asset_assessment(asset=sd)
    # then
    checks = by_rule(result)
    cover = result["coverage"]
    assert cover["newly_uncovered_population"] == cover["covered_population"]
    assert cover["covered_population"] == expected["covered_population"] > 0
    assert cover["nearest_alternative_m"] is None
    assert cover["alternatives"] == []
    assert checks["coverage"]["passed"] is False
    beji = District.objects.get(code="32.76.06").population
    assert (checks["capacity"]["needed"], checks["capacity"]["available_after"]) == (
        math.ceil(beji / SD_RESIDENTS),
        0,
    )
    assert checks["capacity"]["needed"] == 122  # ceil(195,007 / 1,600); 103 with SP2010
    assert checks["capacity"]["passed"] is False
    assert result["repurposable"] is False
    assert [c["rule"] for c in result["checks"] if not c["passed"]] == ["coverage", "capacity"]


def test_office_coverage_not_applicable(make_asset):
    office = make_asset(use="office")
    result = asset_assessment(asset=office)
    checks = by_rule(result)
    assert checks["coverage"] == {"rule": "coverage", "passed": True, "detail": str(NOT_APPLICABLE)}
    assert checks["capacity"] == {"rule": "capacity", "passed": True, "detail": str(NOT_APPLICABLE)}
    assert result["coverage"] is None
    assert result["repurposable"] is True
    assert result["population_source"] == (
        "BPS Kota Depok, Sensus Penduduk 2020 (city total 2,056,335), per kecamatan by SP2010 "
        "shares, 2020, per kecamatan, spread by area over 250 m cells"
    )


def test_damaged_building_fails_condition(make_asset):
    building = make_asset(use="office", condition="major_damage")
    result = asset_assessment(asset=building)
    assert by_rule(result)["condition"] == {
        "rule": "condition",
        "passed": False,
        "detail": str(CONDITION_FAILS),
        "condition": "major_damage",
    }
    assert result["repurposable"] is False
    building.refresh_from_db()
    assert building.repurposable is False


def test_unknown_land_area_fails_with_a_clear_detail(make_asset):
    asset = make_asset(use="vacant", category="land", land_area_m2=None)
    check = by_rule(asset_assessment(asset=asset))["land_area"]
    assert check["passed"] is False
    assert check["land_area_m2"] is None
    assert "not recorded" in check["detail"]


def test_coverage_ignores_facilities_that_do_not_serve(make_asset):
    # given: an idle SD next to the assessed one does not count as an alternative
    sd = make_asset(use="education", facility_type="sd", lon=BEJI_POINT[0], lat=BEJI_POINT[1])
    make_asset(
        use="education", facility_type="sd", status="idle", lon=BEJI_POINT[0], lat=BEJI_POINT[1]
    )
    make_asset(use="education", facility_type="smp", lon=BEJI_POINT[0], lat=BEJI_POINT[1])
    result = asset_assessment(asset=sd)
    assert result["coverage"]["alternatives"] == []
    assert result["coverage"]["nearest_alternative_m"] is None
    assert by_rule(result)["capacity"]["available_after"] == 0


def test_cells_total_population_per_kecamatan():
    # the capacity check's kecamatan population is the cells' total, equal to the census figure
    from django.db.models import Sum

    from geodata.models import PopulationCell

    sums = dict(
        PopulationCell.objects.values_list("kecamatan_id").annotate(total=Sum("population"))
    )
    for district in District.objects.filter(level="kecamatan"):
        assert round(sums[district.code]) == district.population
    assert np.isclose(sum(sums.values()), 2_056_335)
