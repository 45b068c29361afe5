"""Benchmark of the stall-allocation engine (outlets/allocation.py) on generated rounds.

Builds a city-sized round (20,000 applications, 3 to 5 choices each, over 500 outlet/stall-kind
groups, popularity skewed towards some outlets), times `allocate` with and without a women
reserve and a category cap, then solves a smaller round with the `matching` library as well and
checks both give the same assignment. Everything is seeded, so figures are comparable between
runs. Run from the repository root: `python bench/allocation.py`.
"""

import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from matching.games import HospitalResident

# Runnable as a plain script from the repository root, without installing the project.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from outlets.allocation import (  # noqa: E402
    Applicant,
    Group,
    GroupKey,
    Params,
    allocate,
    priority_key,
)

KECAMATAN_CODES = tuple(f"32.76.{n:02d}" for n in range(1, 12))  # Depok's 11 kecamatan
STALL_KINDS = ("kiosk", "booth", "kitchen")
CATEGORIES = ("food", "drink", "fashion", "craft", "grocery", "service", "beauty", "electronics")
TARGET_SECONDS = 2.0
RUNS = 5


def build_round(
    n_applicants: int, n_groups: int, *, seats_per_applicant: float = 0.6, seed: int = 2025
) -> tuple[list[Group], list[Applicant]]:
    """A seeded round: about `seats_per_applicant` stalls per application, skewed demand."""
    rng = random.Random(seed)
    mean_capacity = max(1, round(seats_per_applicant * n_applicants / n_groups))
    groups = [
        Group(
            key=(1 + index // len(STALL_KINDS), STALL_KINDS[index % len(STALL_KINDS)]),
            capacity=rng.randint(max(1, mean_capacity // 3), mean_capacity * 5 // 3),
            kecamatan_code=KECAMATAN_CODES[(index // len(STALL_KINDS)) % len(KECAMATAN_CODES)],
        )
        for index in range(n_groups)
    ]
    keys = [g.key for g in groups]
    # Some outlets are much more wanted than others (a market by the station, a quiet one).
    weights = [rng.lognormvariate(0, 1) for _ in keys]
    applicants = []
    for application_id in range(1, n_applicants + 1):
        wanted = rng.randint(3, 5)
        choices: list[GroupKey] = []
        while len(choices) < wanted:
            key = rng.choices(keys, weights)[0]
            if key not in choices:
                choices.append(key)
        applicants.append(
            Applicant(
                application_id=application_id,
                choices=tuple(choices),
                wub_participant=rng.random() < 0.25,
                women_programme=rng.random() < 0.1,
                kecamatan_code=rng.choice([*KECAMATAN_CODES, None]),
                product_category=rng.choice(CATEGORIES),
            )
        )
    return groups, applicants


def median_seconds(run: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def solve_with_matching(
    groups: list[Group], applicants: list[Applicant], seed: str
) -> dict[int, GroupKey | None]:
    """The resident-optimal hospital-resident solution, hospitals ranking by priority key."""
    by_key = {g.key: g for g in groups if g.capacity > 0}
    resident_prefs = {
        a.application_id: [key for key in a.choices if key in by_key] for a in applicants
    }
    resident_prefs = {i: prefs for i, prefs in resident_prefs.items() if prefs}
    by_id = {a.application_id: a for a in applicants}
    listed_by: dict[GroupKey, list[int]] = {}
    for i, prefs in resident_prefs.items():
        for key in prefs:
            listed_by.setdefault(key, []).append(i)
    hospital_prefs = {
        key: sorted(ids, key=lambda i, group=by_key[key]: priority_key(by_id[i], group, seed))
        for key, ids in listed_by.items()
    }
    capacities = {key: by_key[key].capacity for key in hospital_prefs}
    # HospitalResident deep-copies its players, whose preference lists point at each other,
    # recursing once per player reached: a couple of thousand is past Python's default limit.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 50 * len(by_id) + 10_000))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, capacities)
        solution = game.solve(optimal="resident")
    answer: dict[int, GroupKey | None] = dict.fromkeys(by_id)
    for hospital, residents in solution.items():
        for resident in residents:
            answer[resident.name] = hospital.name
    return answer


def main() -> None:
    groups, applicants = build_round(20_000, 500)
    seats = sum(g.capacity for g in groups)
    print(f"round: {len(applicants)} applicants, {len(groups)} groups, {seats} stalls")
    for label, params in [
        ("no reserve, no cap", Params(seed="bench-1")),
        ("20% women reserve, cap 3", Params("bench-1", women_reserve_share=0.2, category_cap=3)),
    ]:
        result = allocate(groups, applicants, params)
        seconds = median_seconds(lambda params=params: allocate(groups, applicants, params))
        counts = result.counts
        print(
            f"engine {len(applicants)} applicants / {len(groups)} groups ({label}): "
            f"median {seconds:.2f} s of {RUNS} (target < {TARGET_SECONDS:.0f} s); "
            f"assigned {counts['assigned']}, first choice {counts['rank_1']}, "
            f"vacant {counts['vacant']}"
        )
        assert seconds < TARGET_SECONDS, f"{label}: {seconds:.2f} s is over the target"

    small_groups, small_applicants = build_round(2_000, 100, seed=7)
    params = Params(seed="bench-2")
    engine = allocate(small_groups, small_applicants, params)
    engine_seconds = median_seconds(lambda: allocate(small_groups, small_applicants, params))
    started = time.perf_counter()
    reference = solve_with_matching(small_groups, small_applicants, params.seed)
    matching_seconds = time.perf_counter() - started
    assert engine.assignment == reference, "engine and matching disagree"
    print(
        f"engine {len(small_applicants)} applicants / {len(small_groups)} groups: "
        f"median {engine_seconds * 1000:.0f} ms; matching HospitalResident (build + solve, "
        f"1 run): {matching_seconds:.2f} s; "
        f"matching/engine {matching_seconds / engine_seconds:.0f}x; "
        f"assignments agree ({engine.counts['assigned']} assigned)"
    )


if __name__ == "__main__":
    main()
