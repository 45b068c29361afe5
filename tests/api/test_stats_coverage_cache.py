"""District statistics keep the facilities' coverage in the cache: a warm cache answers exactly
what a cold one does, and the figures follow every change to the facilities (added, moved
without touching `updated_at`, closed), to the service standard's radius and to the population
surface.
"""

import math

import pytest
from django.core.cache import cache

from assets_app.models import Asset
from geodata.models import ServiceStandard
from geodata.services import population_import

pytestmark = pytest.mark.django_db

URL = "/api/v1/stats/districts/"
# Beji and a point in Sawangan: far enough apart that one SD does not reach both.
BEJI = "32.76.06"
BEJI_POINT = (106.81794, -6.37229)
SAWANGAN_POINT = (106.7695, -6.4045)


def sd_shares(client, level="kecamatan") -> dict:
    response = client.get(URL, {"level": level})
    assert response.status_code == 200
    return {row["code"]: row["facilities"]["sd"] for row in response.json()["results"]}


def cold(client, level="kecamatan") -> dict:
    cache.clear()
    return sd_shares(client, level)


def test_a_warm_cache_answers_what_a_cold_one_does_and_follows_changes(client_as, make_asset):
    # given: one serving SD in Beji, statistics read once (the cache is now warm)
    client = client_as("planner")
    school = make_asset(use="education", facility_type="sd", lon=BEJI_POINT[0], lat=BEJI_POINT[1])
    first = sd_shares(client)
    assert first[BEJI]["count"] == 1
    assert first[BEJI]["covered_share"] > 0
    assert sd_shares(client) == first == cold(client)

    # when: a second SD opens elsewhere
    other = make_asset(
        use="education", facility_type="sd", lon=SAWANGAN_POINT[0], lat=SAWANGAN_POINT[1]
    )
    warm = sd_shares(client)

    # then
    assert warm == cold(client)
    assert warm != first
    assert sum(row["count"] for row in warm.values()) == 2

    # when: it is moved behind the service's back (no updated_at change) back into Beji
    sd_shares(client)
    Asset.objects.filter(pk=other.pk).update(lon=school.lon, lat=school.lat)
    moved = sd_shares(client)

    # then: the same coverage as the one school in Beji (its kecamatan, not derived by an
    # update behind the service's back, still counts it in Sawangan)
    assert moved == cold(client)
    assert {code: row["covered_share"] for code, row in moved.items()} == {
        code: row["covered_share"] for code, row in first.items()
    }

    # when: the Beji school closes (not serving any more)
    sd_shares(client)
    Asset.objects.filter(pk=school.pk).update(status="idle")
    closed = sd_shares(client)
    assert closed == cold(client)
    assert closed[BEJI]["count"] == 0


def test_coverage_follows_the_radius_of_the_standard(client_as, make_asset):
    client = client_as("planner")
    make_asset(use="education", facility_type="sd", lon=BEJI_POINT[0], lat=BEJI_POINT[1])
    before = sd_shares(client, "kelurahan")

    ServiceStandard.objects.filter(facility_type="sd").update(radius_m=5000)
    after = sd_shares(client, "kelurahan")

    assert after == cold(client, "kelurahan")
    assert sum(row["covered_share"] or 0 for row in after.values()) > sum(
        row["covered_share"] or 0 for row in before.values()
    )


def test_statistics_follow_a_new_population_surface(client_as, make_asset):
    # given: statistics read once, so every cache and per-process memo is warm
    client = client_as("planner")
    make_asset(use="education", facility_type="sd", lon=BEJI_POINT[0], lat=BEJI_POINT[1])
    before = client.get(URL).json()["results"]
    sd_radius = before[0]["facilities"]["sd"]["radius_m"]
    per_sd = before[0]["facilities"]["sd"]["residents_per_facility"]

    # when: new figures for every kecamatan rebuild the surface
    figures = {row["code"]: 100_000 + 1_000 * i for i, row in enumerate(before)}
    population_import(figures=figures, level="kecamatan", year=2030, source="test figures")
    after = client.get(URL).json()["results"]

    # then: the new figures, and what derives from them
    assert {row["code"]: row["population"] for row in after} == figures
    assert [row["population"] for row in before] != [row["population"] for row in after]
    for row in after:
        sd = row["facilities"]["sd"]
        assert sd["needed"] == math.ceil(figures[row["code"]] / per_sd)
        assert sd["radius_m"] == sd_radius
    assert [row["facilities"]["sd"] for row in after] == [
        row["facilities"]["sd"] for row in (cache.clear() or client.get(URL).json()["results"])
    ]
