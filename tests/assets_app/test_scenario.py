"""What-if for a set (issue 18 item 4): two neighbouring schools, each repurposable alone, not
together.

The layout is the 600 m grid of two-SD compounds over Sawangan (`scenarios.py`); the compound
at the node nearest the border holds the two schools under test. Alone, each school's catchment
stays covered by its neighbour in the compound; together, the residents near the border (some
of them across it) lose their SD. (Apart, even by 30 m, the border side of one catchment is
already lost alone: the grid does not reach it.) The expected figures are reckoned independently,
straight from the population-cell table with numpy (not the code under test), and pinned.
"""

import math

import pytest
from django.core.exceptions import ValidationError

import numpy as np

from assets_app.models import Asset
from assets_app.repurposing import asset_assessment, assets_assess
from assets_app.scenario import (
    ASSETS_DUPLICATE,
    ASSETS_EMPTY,
    ASSETS_NOT_FACILITY,
    ASSETS_TOO_MANY,
    ASSETS_UNKNOWN,
    MAX_ASSETS,
    repurposing_scenario,
)
from geodata.models import District, PopulationCell
from tests.assets_app.scenarios import (
    SAWANGAN,
    bulk_facilities,
    edge_node,
    grid_nodes,
    to_lonlat,
    to_xy,
)

pytestmark = pytest.mark.django_db

SD_RADIUS = 1000.0
SD_RESIDENTS = 1600
# Pinned from the SP2020 cells (issue 18): residents only the compound at the border reaches,
# the kelurahan that change (two across the border in Pancoran Mas lose cover; Pasir Putih loses
# the two SDs, 24 -> 22), and the city-wide figures.
LOST_A = LOST_B = 6627
KELURAHAN_CODES = ["32.76.01.1010", "32.76.01.1011", "32.76.03.1001"]
TOTALS = {
    "facility_type": "sd",
    "population": 2_056_335,
    "covered_before": 289_577,
    "covered_after": 282_950,
    "outside_every_radius_after": 1_773_385,
    "newly_outside": 6627,
}


def build_border_pair(make_asset) -> dict:
    """Twin SDs at every grid node but the border node, which holds the two schools under test,
    A and B (registered through the service)."""
    nodes = grid_nodes(SAWANGAN)
    edge = edge_node(SAWANGAN, nodes)
    twins = [tuple(p) for i, p in enumerate(nodes) if i != edge]
    bulk_facilities(twins + twins)
    assets_assess()
    ex, ey = nodes[edge]
    a = make_asset(use="education", facility_type="sd", name="SD A", **_at(ex, ey))
    b = make_asset(use="education", facility_type="sd", name="SD B", **_at(ex, ey))
    return {"a": a, "b": b}


@pytest.fixture
def border_pair(make_asset):
    return build_border_pair(make_asset)


def _at(x: float, y: float) -> dict:
    lon, lat = to_lonlat(x, y)
    return {"lon": lon, "lat": lat}


def _cells() -> dict[str, np.ndarray]:
    rows = list(PopulationCell.objects.values_list("x", "y", "population", "kelurahan_id"))
    x, y, population, kelurahan = zip(*rows, strict=True)
    return {
        "x": np.array(x),
        "y": np.array(y),
        "population": np.array(population),
        "kelurahan": np.array(kelurahan, dtype=object),
    }


def _reached(cells, assets) -> np.ndarray:
    mask = np.zeros(len(cells["x"]), dtype=bool)
    for asset in assets:
        ax, ay = to_xy(asset.lon, asset.lat)
        mask |= np.hypot(cells["x"] - ax, cells["y"] - ay) <= SD_RADIUS
    return mask


def expected_scenario(removed: list[Asset]) -> dict:
    """The kelurahan rows and totals reckoned directly from the cells and the register."""
    cells = _cells()
    serving = list(Asset.objects.filter(facility_type="sd", status__in=["in_service", "underused"]))
    kept = [s for s in serving if s.pk not in {r.pk for r in removed}]
    before, after = _reached(cells, serving), _reached(cells, kept)
    population = cells["population"]
    rows = []
    for code in sorted(set(cells["kelurahan"])):
        here = cells["kelurahan"] == code
        count_before = sum(1 for s in serving if s.kelurahan_id == code)
        count_after = sum(1 for s in kept if s.kelurahan_id == code)
        lost = float(population[here & before & ~after].sum())
        if lost == 0 and count_before == count_after:
            continue
        total = round(float(population[here].sum()))
        covered_before = round(float(population[here & before].sum()))
        covered_after = covered_before - round(lost)
        rows.append(
            {
                "code": code,
                "population": total,
                "covered_before": covered_before,
                "covered_after": covered_after,
                "uncovered_after": total - covered_after,
                "facilities_before": count_before,
                "facilities_after": count_after,
                "needed": math.ceil(round(float(population[here].sum()), 6) / SD_RESIDENTS),
            }
        )
    total = round(float(population.sum()))
    covered_before = round(float(population[before].sum()))
    covered_after = covered_before - round(float(population[before & ~after].sum()))
    return {
        "rows": rows,
        "totals": {
            "facility_type": "sd",
            "population": total,
            "covered_before": covered_before,
            "covered_after": covered_after,
            "outside_every_radius_after": total - covered_after,
            "newly_outside": covered_before - covered_after,
        },
        "cells": cells,
        "before": before,
        "after": after,
    }


def _lost_without(asset, others_removed, cells) -> int:
    """Residents in `asset`'s catchment that no serving SD but those removed reaches."""
    serving = Asset.objects.filter(facility_type="sd").exclude(
        pk__in=[asset.pk, *[o.pk for o in others_removed]]
    )
    catchment = _reached(cells, [asset])
    return round(float(cells["population"][catchment & ~_reached(cells, serving)].sum()))


def test_each_alone_repurposable_both_together_not(border_pair):
    # given
    a, b = border_pair["a"], border_pair["b"]
    expected = expected_scenario([a, b])
    cells = expected["cells"]
    # when
    result = repurposing_scenario(asset_ids=[b.pk, a.pk])
    # then: alone, each passes (today's assessment says the same)
    verdicts = {v["asset"]: v for v in result["verdicts"]}
    assert result["assets"] == [a.pk, b.pk]
    assert [v["asset"] for v in result["verdicts"]] == [a.pk, b.pk]
    for asset in (a, b):
        alone = verdicts[asset.pk]["alone"]
        assert alone == {"repurposable": True, "newly_uncovered_population": 0}
        assert asset_assessment(asset=asset)["repurposable"] is True
        assert _lost_without(asset, [], cells) == 0
    # together, each fails coverage (only), with the residents only the pair reached
    lost_a, lost_b = _lost_without(a, [b], cells), _lost_without(b, [a], cells)
    assert (lost_a, lost_b) == (LOST_A, LOST_B)
    for asset, lost in ((a, lost_a), (b, lost_b)):
        together = verdicts[asset.pk]["together"]
        assert together["repurposable"] is False
        assert together["newly_uncovered_population"] == lost
        failed = [c["rule"] for c in together["checks"] if not c["passed"]]
        assert failed == ["coverage"]
        capacity = next(c for c in together["checks"] if c["rule"] == "capacity")
        assert (capacity["needed"], capacity["available_after"]) == (92, 2 * 73)
    assert verdicts[a.pk]["name"] == "SD A"
    assert verdicts[a.pk]["facility_type"] == "sd"
    assert result["repurposable_together"] is False
    # per kelurahan: exactly the rows reckoned from the cells and the register
    got = [{k: r[k] for k in expected["rows"][0]} for r in result["kelurahan"]]
    assert got == expected["rows"]
    assert {r["facility_type"] for r in result["kelurahan"]} == {"sd"}
    names = dict(District.objects.values_list("code", "name"))
    for r in result["kelurahan"]:
        assert r["name"] == names[r["code"]]
        assert r["kecamatan"] == r["code"][:8]
        assert r["kecamatan_name"] == names[r["kecamatan"]]
    assert [r["code"] for r in result["kelurahan"]] == KELURAHAN_CODES
    pasir_putih = result["kelurahan"][2]
    assert (pasir_putih["facilities_before"], pasir_putih["facilities_after"]) == (24, 22)
    assert pasir_putih["covered_before"] == pasir_putih["covered_after"] == 25_361
    # city-wide
    assert result["totals"] == [expected["totals"]]
    assert result["totals"] == [TOTALS]
    newly = expected["before"] & ~expected["after"]
    assert TOTALS["newly_outside"] == round(float(cells["population"][newly].sum()))
    # the source of the population, as the assessment reports it
    source = result["population_source"]
    assert source["year"] == 2020
    assert source["source"].startswith("BPS Kota Depok, Sensus Penduduk 2020")
    assert source["label"] == asset_assessment(asset=a)["population_source"]


def test_a_set_of_one_is_its_own_assessment(border_pair):
    a = border_pair["a"]
    result = repurposing_scenario(asset_ids=[a.pk])
    [verdict] = result["verdicts"]
    today = asset_assessment(asset=a)
    assert verdict["together"]["checks"] == today["checks"]
    assert verdict["alone"]["repurposable"] == verdict["together"]["repurposable"] is True
    assert result["repurposable_together"] is True
    # only A's kelurahan changes (one SD fewer); no resident loses cover
    [row] = result["kelurahan"]
    assert row["code"] == a.kelurahan_id
    assert row["facilities_before"] - row["facilities_after"] == 1
    assert row["covered_before"] == row["covered_after"]
    assert result["totals"][0]["newly_outside"] == 0


def test_nothing_is_written(border_pair):
    a, b = border_pair["a"], border_pair["b"]
    before = (
        Asset.objects.count(),
        Asset.history.count(),
        list(Asset.objects.order_by("pk").values_list("pk", "repurposable", "assessed_at")),
    )
    repurposing_scenario(asset_ids=[a.pk, b.pk])
    after = (
        Asset.objects.count(),
        Asset.history.count(),
        list(Asset.objects.order_by("pk").values_list("pk", "repurposable", "assessed_at")),
    )
    assert after == before


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ([], str(ASSETS_EMPTY)),
        (list(range(1, MAX_ASSETS + 2)), str(ASSETS_TOO_MANY).format(max_length=MAX_ASSETS)),
        ([7, 7, 8], str(ASSETS_DUPLICATE).format(ids="7")),
    ],
)
def test_bad_sets_name_assets(ids, message):
    with pytest.raises(ValidationError) as raised:
        repurposing_scenario(asset_ids=ids)
    assert raised.value.message_dict == {"assets": [message]}


def test_unknown_and_non_facility_assets_name_assets(make_asset):
    sd = make_asset(use="education", facility_type="sd")
    office = make_asset(use="office")
    with pytest.raises(ValidationError) as raised:
        repurposing_scenario(asset_ids=[sd.pk, sd.pk + 1000])
    assert raised.value.message_dict == {"assets": [str(ASSETS_UNKNOWN).format(ids=sd.pk + 1000)]}
    with pytest.raises(ValidationError) as raised:
        repurposing_scenario(asset_ids=[sd.pk, office.pk])
    assert raised.value.message_dict == {"assets": [str(ASSETS_NOT_FACILITY).format(ids=office.pk)]}
    # an asset the caller cannot see is unknown to them
    with pytest.raises(ValidationError) as raised:
        repurposing_scenario(asset_ids=[sd.pk], queryset=Asset.objects.exclude(pk=sd.pk))
    assert raised.value.message_dict == {"assets": [str(ASSETS_UNKNOWN).format(ids=sd.pk)]}
