"""The what-if computation on hand-placed cells and facilities (no database), answers by hand.

Two SDs, A and B, share a compound at a point in Kelurahan Beji (32.76.06.1002); a third, C, is
1,500 m east (in 32.76.06.1004). Four cells along the same line: c1 at the compound (100 people),
c2 800 m east (50, also within C's 1,000 m), c3 900 m west (30, in 32.76.06.1003), c4 3,000 m
east (20, in 32.76.02.1009, reached by nobody), c5 at C (10, in 32.76.06.1004).
"""

import numpy as np

from assets_app.assessment import Facilities, Settings, Standard, Subject
from assets_app.repurposing import Inputs
from assets_app.scenario import Place, scenario_figures
from geodata.coverage import Demand
from geodata.selectors import Surface
from tests.assets_app.scenarios import to_xy
from tests.conftest import BEJI_POINT

X, Y = to_xy(*BEJI_POINT)
BEJI = "32.76.06"
PLACES = {
    "32.76.06.1002": Place(name="Beji", kecamatan=BEJI, kecamatan_name="Beji"),
    "32.76.06.1003": Place(name="Beji Timur", kecamatan=BEJI, kecamatan_name="Beji"),
    "32.76.06.1004": Place(name="Kemiri Muka", kecamatan=BEJI, kecamatan_name="Beji"),
    "32.76.02.1009": Place(name="Somewhere", kecamatan="32.76.02", kecamatan_name="Pancoran"),
}


def _inputs(standards=None) -> Inputs:
    cells = [  # dx, population, kelurahan
        (0.0, 100.0, "32.76.06.1002"),
        (800.0, 50.0, "32.76.06.1002"),
        (-900.0, 30.0, "32.76.06.1003"),
        (3000.0, 20.0, "32.76.02.1009"),
        (1500.0, 10.0, "32.76.06.1004"),
    ]
    demand = Demand(
        x=np.array([X + dx for dx, _, _ in cells]),
        y=np.array([Y] * len(cells)),
        population=np.array([p for _, p, _ in cells]),
        kecamatan=np.array([k[:8] for _, _, k in cells], dtype=object),
        kelurahan=np.array([k for _, _, k in cells], dtype=object),
    )
    serving = Facilities.from_rows([(1, X, Y, BEJI), (2, X, Y, BEJI), (3, X + 1500, Y, BEJI)])
    return Inputs(
        surface=Surface(source_id=0, label="hand-placed", demand=demand),
        standards={"sd": Standard("sd", 1000.0, 1600, "test")} if standards is None else standards,
        serving={"sd": serving},
        settings=Settings(min_land_area_m2=100.0, uncovered_threshold=0.0),
    )


def _subject(pk: int, x: float = X, facility_type: str = "sd") -> Subject:
    return Subject(
        id=pk,
        use="education",
        facility_type=facility_type,
        status="in_service",
        condition="good",
        land_area_m2=500.0,
        x=x,
        y=Y,
        kecamatan=BEJI,
    )


def test_the_compound_alone_and_together():
    result = scenario_figures(
        [_subject(1), _subject(2)], inputs=_inputs(), names={1: "A", 2: "B"}, places=PLACES
    )
    # alone: the twin covers everything, and C and the twin remain for Beji's need of 1
    # together: c1 and c3 (130 people) lose their SD; C alone still meets the need of 1
    for verdict, name in zip(result["verdicts"], "AB", strict=True):
        assert verdict["name"] == name
        assert verdict["alone"] == {"repurposable": True, "newly_uncovered_population": 0}
        together = verdict["together"]
        assert (together["repurposable"], together["newly_uncovered_population"]) == (False, 130)
        checks = {c["rule"]: c for c in together["checks"]}
        assert checks["coverage"]["covered_population"] == 180  # c1, c2, c3
        assert (checks["capacity"]["needed"], checks["capacity"]["available_after"]) == (1, 1)
        assert [c["rule"] for c in together["checks"] if not c["passed"]] == ["coverage"]
    assert result["repurposable_together"] is False
    assert result["kelurahan"] == [
        {
            "code": "32.76.06.1002",
            "name": "Beji",
            "kecamatan": BEJI,
            "kecamatan_name": "Beji",
            "facility_type": "sd",
            "population": 150,
            "covered_before": 150,
            "covered_after": 50,
            "uncovered_after": 100,
            "facilities_before": 2,
            "facilities_after": 0,
            "needed": 1,
        },
        {
            "code": "32.76.06.1003",
            "name": "Beji Timur",
            "kecamatan": BEJI,
            "kecamatan_name": "Beji",
            "facility_type": "sd",
            "population": 30,
            "covered_before": 30,
            "covered_after": 0,
            "uncovered_after": 30,
            "facilities_before": 0,
            "facilities_after": 0,
            "needed": 1,
        },
    ]
    assert result["totals"] == [
        {
            "facility_type": "sd",
            "population": 210,
            "covered_before": 190,
            "covered_after": 60,
            "outside_every_radius_after": 150,
            "newly_outside": 130,
        }
    ]


def test_a_set_of_one_is_its_assessment_alone():
    # C alone: c5's 10 people lose their SD (A and B are 1,500 m away); c2 keeps A and B
    result = scenario_figures(
        [_subject(3, x=X + 1500)], inputs=_inputs(), names={3: "C"}, places=PLACES
    )
    [verdict] = result["verdicts"]
    assert verdict["alone"] == {"repurposable": False, "newly_uncovered_population": 10}
    assert {k: v for k, v in verdict["together"].items() if k != "checks"} == verdict["alone"]
    assert result["repurposable_together"] is False
    assert [
        (r["code"], r["population"], r["covered_before"], r["covered_after"])
        + (r["facilities_before"], r["facilities_after"], r["needed"])
        for r in result["kelurahan"]
    ] == [("32.76.06.1004", 10, 10, 0, 1, 0, 1)]
    assert result["totals"][0]["newly_outside"] == 10


def test_a_type_without_a_standard_has_verdicts_but_no_figures():
    result = scenario_figures([_subject(1)], inputs=_inputs(standards={}), names={}, places=PLACES)
    [verdict] = result["verdicts"]
    assert verdict["alone"] == {"repurposable": False, "newly_uncovered_population": None}
    assert result["kelurahan"] == []
    assert result["totals"] == []


def test_stated_capacities_stay_with_their_facilities():
    from assets_app.scenario import _without

    facilities = Facilities.from_rows(
        [(1, X, Y, BEJI, 300), (2, X, Y, BEJI, None), (3, X, Y, BEJI, 90)]
    )
    kept, keep = _without(facilities, {1})
    assert keep.tolist() == [False, True, True]
    assert kept.ids.tolist() == [2, 3]
    assert np.isnan(kept.capacity[0])
    assert kept.capacity[1] == 90
    plain, _ = _without(Facilities.from_rows([(1, X, Y, BEJI), (2, X, Y, BEJI)]), {2})
    assert (plain.ids.tolist(), plain.capacity) == ([1], None)
