"""Capacity where known in the pure engine (no database): hand-built cells and facilities."""

import numpy as np

from assets_app.assessment import Facilities, Settings, Standard, Subject, assess
from assets_app.verdicts import verdicts
from geodata.coverage import Demand

# One kecamatan "K" of 10,000 residents in four cells; SDs at 1,600 residents each by the norm,
# one student place per 10 residents where a capacity is stated.
DEMAND = Demand(
    x=np.array([0.0, 100.0, 0.0, 100.0]),
    y=np.array([0.0, 0.0, 100.0, 100.0]),
    population=np.array([2500.0, 2500.0, 2500.0, 2500.0]),
    kecamatan=np.array(["K"] * 4, dtype=object),
    kelurahan=np.array(["K.1"] * 4, dtype=object),
)
STANDARD = Standard("sd", 1000.0, 1600, "test", "students", 10.0)
SUBJECT = Subject(1, "education", "sd", "in_service", "good", 500.0, 50.0, 50.0, "K")


def capacity(facilities: Facilities, standard: Standard = STANDARD) -> dict:
    result = assess(
        SUBJECT, demand=DEMAND, facilities=facilities, standard=standard, settings=Settings()
    )
    [check] = [c for c in result["checks"] if c["rule"] == "capacity"]
    verdict = verdicts(
        [SUBJECT],
        demand=DEMAND,
        facilities={"sd": facilities},
        standards={"sd": standard},
        settings=Settings(),
    )
    assert verdict == {1: result["repurposable"]}  # the bulk path decides the same
    return check


def rows(*capacities):
    # the subject (id 1, 300 places) and the others (ids -1, -2, ...: reference facilities)
    return [(1, 50.0, 50.0, "K", 300)] + [
        (-(i + 1), 60.0 + i, 50.0, "K", c) for i, c in enumerate(capacities)
    ]


def test_no_capacity_known_keeps_the_norm_check():
    check = capacity(Facilities.from_rows([(1, 50.0, 50.0, "K"), (2, 60.0, 50.0, "K")]))
    assert check == {
        "rule": "capacity",
        "passed": False,
        "detail": check["detail"],
        "needed": 7,
        "available_after": 1,
        "kecamatan": "K",
        "kecamatan_population": 10_000,
    }


def test_stated_capacities_count_at_residents_per_place():
    # 600 + 400 places: 10,000 residents served, exactly the kecamatan's population
    check = capacity(Facilities.from_rows(rows(600, 400)))
    assert (check["passed"], check["supported_residents"]) == (True, 10_000)
    assert (check["counted_by_capacity"], check["counted_by_norm"]) == (2, 0)
    assert (check["needed"], check["available_after"]) == (7, 2)  # the norm alone would fail


def test_mixed_known_and_unknown():
    # 500 places (5,000) + two by the norm (3,200): 8,200 < 10,000
    check = capacity(Facilities.from_rows(rows(500, None, None)))
    assert (check["passed"], check["supported_residents"]) == (False, 8_200)
    assert (check["counted_by_capacity"], check["counted_by_norm"]) == (1, 2)


def test_a_standard_without_a_unit_ignores_stated_capacities():
    plain = Standard("sd", 1000.0, 1600, "test")
    check = capacity(Facilities.from_rows(rows(600, 400)), plain)
    assert "supported_residents" not in check
    assert (check["passed"], check["available_after"]) == (False, 2)
