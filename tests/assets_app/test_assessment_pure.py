"""The pure assessment module on tiny synthetic arrays whose answers are computed by hand."""

import math

import pytest

import numpy as np

from assets_app.assessment import (
    CONDITION_FAILS,
    LAND_AREA_UNKNOWN,
    NO_STANDARD,
    NOT_APPLICABLE,
    RULES,
    Facilities,
    Settings,
    Standard,
    Subject,
    assess,
)
from assets_app.verdicts import verdicts
from geodata.coverage import Demand, covered, reach_matrix, within_radius

# Five cells on a line (metres): populations 10, 20, 30, 40, 50; kecamatan A, A, A, B, B.
DEMAND = Demand(
    x=np.array([0.0, 100.0, 200.0, 300.0, 1000.0]),
    y=np.zeros(5),
    population=np.array([10.0, 20.0, 30.0, 40.0, 50.0]),
    kecamatan=np.array(["A", "A", "A", "B", "B"], dtype=object),
    kelurahan=np.array(["A1", "A1", "A2", "B1", "B1"], dtype=object),
)
STANDARD = Standard(facility_type="sd", radius_m=250.0, residents_per_facility=25, source="test")
SETTINGS = Settings(min_land_area_m2=100.0, uncovered_threshold=0.0)


def subject(**overrides) -> Subject:
    fields = {
        "id": 1,
        "use": "education",
        "facility_type": "sd",
        "status": "in_service",
        "condition": "good",
        "land_area_m2": 500.0,
        "x": 0.0,
        "y": 0.0,
        "kecamatan": "A",
    }
    fields.update(overrides)
    return Subject(**fields)


# The subject (1) itself, another SD 400 m east (2, in A) and one far away (3, in A).
FACILITIES = Facilities.from_rows([(1, 0.0, 0.0, "A"), (2, 400.0, 0.0, "A"), (3, 5000.0, 0.0, "A")])


def by_rule(result) -> dict:
    return {check["rule"]: check for check in result["checks"]}


def test_coverage_and_capacity_figures_by_hand():
    # when
    result = assess(
        subject(), demand=DEMAND, facilities=FACILITIES, standard=STANDARD, settings=SETTINGS
    )
    # then: the catchment is cells at 0, 100, 200 m (60 residents); SD 2 at 400 m reaches the
    # cell at 200 m (30), so 10 + 20 = 30 residents lose their SD.
    checks = by_rule(result)
    assert [c["rule"] for c in result["checks"]] == list(RULES)
    assert checks["coverage"]["passed"] is False
    assert checks["coverage"]["covered_population"] == 60
    assert checks["coverage"]["newly_uncovered_population"] == 30
    assert checks["coverage"]["nearest_alternative_m"] == 400.0
    assert result["coverage"]["alternatives"] == [
        {"asset": 2, "distance_m": 400.0, "covers_population": 30}
    ]
    assert result["coverage"]["alternatives_count"] == 1
    assert result["coverage"]["catchment_cells"] == 3
    # Kecamatan A has 60 residents: ceil(60 / 25) = 3 SDs needed, 2 would remain.
    assert checks["capacity"]["needed"] == 3
    assert checks["capacity"]["available_after"] == 2
    assert checks["capacity"]["passed"] is False
    assert result["repurposable"] is False


def test_threshold_lets_a_small_loss_pass():
    settings = Settings(min_land_area_m2=100.0, uncovered_threshold=30.0)
    result = assess(
        subject(), demand=DEMAND, facilities=FACILITIES, standard=STANDARD, settings=settings
    )
    assert by_rule(result)["coverage"]["passed"] is True
    just_below = Settings(min_land_area_m2=100.0, uncovered_threshold=29.0)
    result = assess(
        subject(), demand=DEMAND, facilities=FACILITIES, standard=STANDARD, settings=just_below
    )
    assert by_rule(result)["coverage"]["passed"] is False


def test_capacity_passes_when_enough_remain_and_everything_is_covered():
    # given: a twin at the same point and two more SDs in A: 3 remain of the 3 needed
    facilities = Facilities.from_rows(
        [(1, 0.0, 0.0, "A"), (2, 0.0, 0.0, "A"), (3, 5000.0, 0.0, "A"), (4, 6000.0, 0.0, "A")]
    )
    result = assess(
        subject(), demand=DEMAND, facilities=facilities, standard=STANDARD, settings=SETTINGS
    )
    checks = by_rule(result)
    assert checks["coverage"]["newly_uncovered_population"] == 0
    assert checks["coverage"]["nearest_alternative_m"] == 0.0
    assert (checks["capacity"]["needed"], checks["capacity"]["available_after"]) == (3, 3)
    assert result["repurposable"] is True


def test_a_cell_exactly_at_the_radius_is_covered():
    facilities = Facilities.from_rows([(2, 450.0, 0.0, "A")])  # 250 m from the cell at 200 m
    result = assess(
        subject(), demand=DEMAND, facilities=facilities, standard=STANDARD, settings=SETTINGS
    )
    assert result["coverage"]["newly_uncovered_population"] == 30
    assert result["coverage"]["alternatives"][0]["covers_population"] == 30


def test_a_lone_facility_loses_its_whole_catchment():
    facilities = Facilities.from_rows([(1, 0.0, 0.0, "A")])
    result = assess(
        subject(), demand=DEMAND, facilities=facilities, standard=STANDARD, settings=SETTINGS
    )
    cover = result["coverage"]
    assert cover["newly_uncovered_population"] == cover["covered_population"] == 60
    assert cover["nearest_alternative_m"] is None
    assert cover["alternatives"] == []
    assert by_rule(result)["capacity"]["available_after"] == 0


def test_demand_across_the_kecamatan_border_counts():
    # given: the subject in B at 300 m reaches the cells at 100, 200 (A) and 300 (B)
    facilities = Facilities.from_rows([(1, 300.0, 0.0, "B")])
    s = subject(x=300.0, kecamatan="B")
    result = assess(s, demand=DEMAND, facilities=facilities, standard=STANDARD, settings=SETTINGS)
    assert result["coverage"]["covered_population"] == 20 + 30 + 40
    # B has 90 residents: ceil(90 / 25) = 4
    assert by_rule(result)["capacity"]["needed"] == 4
    assert by_rule(result)["capacity"]["kecamatan_population"] == 90


def test_office_coverage_and_capacity_not_applicable():
    result = assess(
        subject(use="office", facility_type=""),
        demand=DEMAND,
        facilities=Facilities.empty(),
        standard=None,
        settings=SETTINGS,
    )
    checks = by_rule(result)
    for rule in ("coverage", "capacity"):
        assert checks[rule] == {"rule": rule, "passed": True, "detail": str(NOT_APPLICABLE)}
    assert result["coverage"] is None
    assert result["repurposable"] is True


@pytest.mark.parametrize(
    ("status", "passed"),
    [
        ("in_service", True),
        ("underused", True),
        ("idle", True),
        ("designated_economic", False),
        ("outlet", False),
        ("disposed", False),
    ],
)
def test_status_rule(status, passed):
    result = assess(
        subject(use="office", facility_type="", status=status),
        demand=DEMAND,
        facilities=Facilities.empty(),
        standard=None,
        settings=SETTINGS,
    )
    assert by_rule(result)["status"]["passed"] is passed
    assert result["repurposable"] is passed


def test_condition_rule():
    result = assess(
        subject(use="office", facility_type="", condition="major_damage"),
        demand=DEMAND,
        facilities=Facilities.empty(),
        standard=None,
        settings=SETTINGS,
    )
    assert by_rule(result)["condition"] == {
        "rule": "condition",
        "passed": False,
        "detail": str(CONDITION_FAILS),
        "condition": "major_damage",
    }
    assert result["repurposable"] is False


@pytest.mark.parametrize(("area", "passed"), [(99.99, False), (100.0, True), (None, False)])
def test_land_area_rule(area, passed):
    result = assess(
        subject(use="office", facility_type="", land_area_m2=area),
        demand=DEMAND,
        facilities=Facilities.empty(),
        standard=None,
        settings=SETTINGS,
    )
    check = by_rule(result)["land_area"]
    assert check["passed"] is passed
    assert check["land_area_m2"] == area
    assert check["minimum_m2"] == 100.0
    if area is None:
        assert check["detail"] == str(LAND_AREA_UNKNOWN).format(minimum=100.0)


def test_missing_standard_fails_both_rules():
    result = assess(
        subject(), demand=DEMAND, facilities=FACILITIES, standard=None, settings=SETTINGS
    )
    detail = str(NO_STANDARD).format(facility_type="sd")
    assert by_rule(result)["coverage"] == {"rule": "coverage", "passed": False, "detail": detail}
    assert by_rule(result)["capacity"] == {"rule": "capacity", "passed": False, "detail": detail}


def test_outside_any_kecamatan_capacity_fails():
    result = assess(
        subject(kecamatan=None),
        demand=DEMAND,
        facilities=FACILITIES,
        standard=STANDARD,
        settings=SETTINGS,
    )
    assert by_rule(result)["capacity"]["passed"] is False


def test_needed_rounds_up():
    # A holds 60 residents; at 60 per facility exactly 1 is needed, at 59 two.
    for per, needed in ((60, 1), (59, 2)):
        standard = Standard(facility_type="sd", radius_m=250.0, residents_per_facility=per)
        result = assess(
            subject(), demand=DEMAND, facilities=FACILITIES, standard=standard, settings=SETTINGS
        )
        assert by_rule(result)["capacity"]["needed"] == needed == math.ceil(60 / per)


def test_within_radius_and_reach_matrix():
    x = np.array([0.0, 3.0, 5.0, 6.0])
    y = np.array([0.0, 4.0, 0.0, 0.0])
    assert within_radius(x, y, 0.0, 0.0, 5.0).tolist() == [True, True, True, False]
    matrix = reach_matrix(x, y, np.array([0.0, 6.0]), np.array([0.0, 0.0]), 1.0)
    assert matrix.tolist() == [[True, False], [False, False], [False, True], [False, True]]


def test_covered_matches_brute_force():
    rng = np.random.default_rng(7)
    cx, cy = rng.uniform(0, 10_000, 500), rng.uniform(0, 10_000, 500)
    fx, fy = rng.uniform(0, 10_000, 300), rng.uniform(0, 10_000, 300)
    expected = [
        any(math.hypot(a - b, c - d) <= 700 for b, d in zip(fx, fy, strict=True))
        for a, c in zip(cx, cy, strict=True)
    ]
    assert covered(cx, cy, fx, fy, 700.0).tolist() == expected
    assert covered(cx, cy, np.empty(0), np.empty(0), 700.0).tolist() == [False] * 500


def test_population_by_level():
    assert DEMAND.population_by("kecamatan") == {"A": 60.0, "B": 90.0}
    assert DEMAND.population_by("kelurahan") == {"A1": 30.0, "A2": 30.0, "B1": 90.0}


@pytest.mark.parametrize(
    ("n_facilities", "extent"),
    [(120, 20_000), (300, 4_000)],  # sparse (some with no other near), dense (over 50 near)
)
def test_grid_figures_match_brute_force(n_facilities, extent):
    """The spatial grids and the listed-first reach change how fast, never what: each figure
    equals comparing every cell with every facility, on random cells, facilities and subjects."""
    rng = np.random.default_rng(11)
    n_cells = 800
    demand = Demand(
        x=rng.uniform(0, extent, n_cells),
        y=rng.uniform(0, extent, n_cells),
        population=rng.uniform(0, 500, n_cells),
        kecamatan=rng.choice(["A", "B", "C"], n_cells).astype(object),
        kelurahan=np.array(["K"] * n_cells, dtype=object),
    )
    fx = rng.uniform(-0.1 * extent, 1.1 * extent, n_facilities)
    fy = rng.uniform(-0.1 * extent, 1.1 * extent, n_facilities)
    kecamatan = rng.choice(["A", "B", "C"], n_facilities)
    facilities = Facilities.from_rows(
        [(i + 1, fx[i], fy[i], kecamatan[i]) for i in range(n_facilities)]
    )
    standard = Standard(facility_type="sd", radius_m=900.0, residents_per_facility=50_000)
    most = 0
    for index in range(n_facilities):
        s = subject(id=index + 1, x=fx[index], y=fy[index], kecamatan=kecamatan[index])
        figures = assess(
            s, demand=demand, facilities=facilities, standard=standard, settings=SETTINGS
        )["coverage"]
        others = np.arange(n_facilities) != index
        ox, oy = fx[others], fy[others]
        far = np.hypot(ox - s.x, oy - s.y)
        in_catchment = np.hypot(demand.x - s.x, demand.y - s.y) <= 900.0
        near = far <= 1_800.0
        still = [
            bool((np.hypot(ox[near] - x, oy[near] - y) <= 900.0).any())
            for x, y in zip(demand.x[in_catchment], demand.y[in_catchment], strict=True)
        ]
        population = demand.population[in_catchment]
        assert figures["catchment_cells"] == int(in_catchment.sum())
        assert figures["covered_population"] == round(float(population.sum()))
        assert figures["newly_uncovered_population"] == round(
            float(population[~np.array(still, dtype=bool)].sum())
        )
        assert figures["alternatives_count"] == int(near.sum())
        assert figures["nearest_alternative_m"] == round(float(far.min()), 1)
        assert figures["available_after"] == int((kecamatan[others] == kecamatan[index]).sum())
        reaches = (
            np.hypot(
                demand.x[in_catchment][:, None] - ox[near][None, :],
                demand.y[in_catchment][:, None] - oy[near][None, :],
            )
            <= 900.0
        )
        covers = dict(zip(np.flatnonzero(others)[near] + 1, population @ reaches, strict=True))
        for alternative in figures["alternatives"]:
            assert alternative["covers_population"] == round(float(covers[alternative["asset"]]))
        most = max(most, figures["alternatives_count"])
    # The dense case lists only the nearest 50 somewhere: the unlisted ones are exercised.
    assert (most > 50) == (extent == 4_000)


@pytest.mark.parametrize("seed", [3, 5])
def test_bulk_verdicts_equal_assess(seed):
    """`verdicts` decides exactly what `assess` decides, for every rule's pass and fail: random
    subjects (serving or not, eligible or not, some outside any kecamatan) over random cells."""
    rng = np.random.default_rng(seed)
    n_cells, n = 600, 250
    demand = Demand(
        x=rng.uniform(0, 6_000, n_cells),
        y=rng.uniform(0, 6_000, n_cells),
        population=rng.uniform(0, 40, n_cells),
        kecamatan=rng.choice(["A", "B"], n_cells).astype(object),
        kelurahan=np.array(["K"] * n_cells, dtype=object),
    )
    x, y = rng.uniform(-500, 6_500, n), rng.uniform(-500, 6_500, n)
    statuses = rng.choice(["in_service", "underused", "idle", "designated"], n)
    kecamatan = rng.choice(["A", "B", None], n, p=[0.45, 0.45, 0.1])
    subjects = [
        subject(
            id=i + 1,
            use="education" if i % 7 else "office",
            facility_type=("sd" if i % 3 else "smp") if i % 7 else "",
            status=statuses[i],
            condition="major_damage" if i % 11 == 0 else "good",
            land_area_m2=None if i % 13 == 0 else float(rng.uniform(50, 500)),
            x=x[i],
            y=y[i],
            kecamatan=kecamatan[i],
        )
        for i in range(n)
    ]
    serving = {
        t: Facilities.from_rows(
            [
                (s.id, s.x, s.y, s.kecamatan)
                for s in subjects
                if s.facility_type == t and s.status in ("in_service", "underused")
            ]
        )
        for t in ("sd", "smp")
    }
    standards = {
        "sd": Standard(facility_type="sd", radius_m=600.0, residents_per_facility=300),
        "smp": Standard(facility_type="smp", radius_m=900.0, residents_per_facility=2_000),
    }
    settings = Settings(min_land_area_m2=100.0, uncovered_threshold=25.0)
    bulk = verdicts(
        subjects, demand=demand, facilities=serving, standards=standards, settings=settings
    )
    one_by_one = {
        s.id: assess(
            s,
            demand=demand,
            facilities=serving.get(s.facility_type, Facilities.empty()),
            standard=standards.get(s.facility_type),
            settings=settings,
        )
        for s in subjects
    }
    assert bulk == {pk: result["repurposable"] for pk, result in one_by_one.items()}
    # Both verdicts occur for facility subjects, and for reasons of coverage and of capacity.
    reasons = {
        check["rule"]
        for result in one_by_one.values()
        if result["coverage"]
        for check in result["checks"]
        if not check["passed"]
    }
    assert {"coverage", "capacity"} <= reasons
    assert {True, False} <= set(bulk.values())
