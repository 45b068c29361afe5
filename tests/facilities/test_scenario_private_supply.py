"""Issue 18's scenario: a city school that is repurposable only because private schools exist.

Sawangan (SP2020: 146,071 residents, so ceil(146,071 / 1,600) = 92 SDs needed) gets a 600 m
grid of 74 nodes (tests.assets_app.scenarios). The city's SD under test stands on the central
node. The 12 nodes within 1,300 m of it hold one private SD each (reference facilities, imported
from a Dapodik-shaped CSV); every other node holds a state SD (a city asset) and a private SD.
Without the private schools, the centre of the catchment is more than 1,000 m from any SD
(coverage fails) and 61 state SDs remain (capacity fails); with them, every catchment cell is
reached and 61 + 73 = 134 SDs remain. Figures are reckoned independently from the cell table.
"""

import pytest

import numpy as np

from assets_app.models import Asset
from assets_app.repurposing import asset_assessment
from facilities.models import ReferenceFacility
from facilities.services import facilities_import
from tests.assets_app.scenarios import (
    SAWANGAN,
    bulk_facilities,
    central_node,
    expected_coverage,
    grid_nodes,
    to_lonlat,
    to_xy,
)

pytestmark = pytest.mark.django_db

RADIUS = 1000.0
NEAR_M = 1300.0


def by_rule(result) -> dict:
    return {check["rule"]: check for check in result["checks"]}


def private_csv(points) -> bytes:
    lines = ["NPSN,Nama,Bentuk Pendidikan,Status Sekolah,Alamat,Lintang,Bujur"]
    for i, (x, y) in enumerate(points):
        lon, lat = to_lonlat(x, y)
        lines.append(f"{99100000 + i},SD SWASTA SINTETIS {i},SD,Swasta,-,{lat!r},{lon!r}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def sawangan(make_asset):
    nodes = grid_nodes(SAWANGAN)
    centre = central_node(SAWANGAN, nodes)
    distance = np.hypot(*(nodes - nodes[centre]).T)
    near = [tuple(p) for i, p in enumerate(nodes) if i != centre and distance[i] <= NEAR_M]
    far = [tuple(p) for i, p in enumerate(nodes) if distance[i] > NEAR_M]
    bulk_facilities(far, prefix="STATE")
    lon, lat = to_lonlat(*nodes[centre])
    central = make_asset(use="education", facility_type="sd", lon=lon, lat=lat)
    return {"nodes": nodes, "near": near, "far": far, "central": central}


def test_the_layout_is_as_described(sawangan):
    assert len(sawangan["nodes"]) == 74
    assert (len(sawangan["near"]), len(sawangan["far"])) == (12, 61)


def test_city_sd_is_repurposable_only_with_the_private_schools(sawangan):
    central = sawangan["central"]
    state = list(Asset.objects.filter(facility_type="sd").exclude(pk=central.pk))
    # given: state schools only
    without = asset_assessment(asset=central)
    expected_without = expected_coverage(central, state, RADIUS)
    checks = by_rule(without)
    assert expected_without["newly_uncovered_population"] > 0
    # SP2020 cells: 16,660 residents within 1,000 m; 2,066 of them beyond every state SD's reach
    assert (
        expected_without["covered_population"],
        expected_without["newly_uncovered_population"],
    ) == (
        16_660,
        2_066,
    )
    assert checks["coverage"]["covered_population"] == expected_without["covered_population"]
    assert (
        checks["coverage"]["newly_uncovered_population"]
        == expected_without["newly_uncovered_population"]
    )
    assert (checks["coverage"]["passed"], checks["capacity"]["passed"]) == (False, False)
    assert (checks["capacity"]["needed"], checks["capacity"]["available_after"]) == (92, 61)
    assert without["repurposable"] is False
    central.refresh_from_db()
    assert central.repurposable is False

    # when: the private schools are imported (every node but the centre has one)
    report = facilities_import(
        file=private_csv(sawangan["near"] + sawangan["far"]),
        fmt="csv",
        user=None,
        source="synthetic scenario list",
    )

    # then
    assert (report["created"], report["errors"], report["reassessed"]) == (73, [], 62)
    private = list(ReferenceFacility.objects.all())
    assert {f.provider for f in private} == {"private"}
    assert {f.kecamatan_id for f in private} == {SAWANGAN}
    expected_with = expected_coverage(central, state + private, RADIUS)
    assert expected_with["newly_uncovered_population"] == 0
    result = asset_assessment(asset=central)
    checks = by_rule(result)
    assert checks["coverage"]["covered_population"] == expected_with["covered_population"]
    assert checks["coverage"]["covered_population"] == expected_without["covered_population"]
    assert checks["coverage"]["newly_uncovered_population"] == 0
    assert checks["coverage"]["nearest_alternative_m"] == pytest.approx(600.0, abs=0.2)
    assert (checks["capacity"]["needed"], checks["capacity"]["available_after"]) == (92, 134)
    assert result["repurposable"] is True
    assert result["coverage"]["alternatives_count"] == len(
        [f for f in private if _within(central, f, 2 * RADIUS)]
    ) + len([a for a in state if _within(central, a, 2 * RADIUS)])
    # the four nearest alternatives are private schools 600 m away, named
    nearest = result["coverage"]["alternatives"][:4]
    names = {f.pk: f.name for f in private}
    assert [set(a) for a in nearest] == [
        {"facility", "name", "provider", "distance_m", "covers_population"}
    ] * 4
    assert [(a["provider"], a["name"] == names[a["facility"]]) for a in nearest] == [
        ("private", True)
    ] * 4
    assert [a["distance_m"] for a in nearest] == pytest.approx([600.0] * 4, abs=0.2)
    central.refresh_from_db()
    assert central.repurposable is True  # stored by the import's re-assessment


def test_closed_or_linked_private_schools_do_not_count(sawangan):
    central = sawangan["central"]
    facilities_import(
        file=private_csv(sawangan["near"] + sawangan["far"]),
        fmt="csv",
        user=None,
        source="synthetic scenario list",
    )
    # closing the 12 near ones (a re-import with the status column) undoes the coverage
    lines = ["NPSN,Nama,Bentuk Pendidikan,Status Sekolah,Lintang,Bujur,Keadaan"]
    for i, (x, y) in enumerate(sawangan["near"]):
        lon, lat = to_lonlat(x, y)
        lines.append(f"{99100000 + i},SD SWASTA SINTETIS {i},SD,Swasta,{lat!r},{lon!r},Tutup")
    report = facilities_import(
        file=("\n".join(lines) + "\n").encode(), fmt="csv", user=None, source="synthetic closure"
    )
    assert (report["updated"], report["errors"]) == (12, [])
    checks = by_rule(asset_assessment(asset=central))
    state = list(Asset.objects.filter(facility_type="sd").exclude(pk=central.pk))
    operating = list(ReferenceFacility.objects.filter(status="operating"))
    expected = expected_coverage(central, state + operating, RADIUS)
    assert expected["newly_uncovered_population"] > 0
    assert (
        checks["coverage"]["newly_uncovered_population"] == expected["newly_uncovered_population"]
    )
    assert checks["capacity"]["available_after"] == 61 + 61
    central.refresh_from_db()
    assert central.repurposable is False


def _within(a, b, metres: float) -> bool:
    ax, ay = to_xy(a.lon, a.lat)
    bx, by = to_xy(b.lon, b.lat)
    return float(np.hypot(ax - bx, ay - by)) <= metres
