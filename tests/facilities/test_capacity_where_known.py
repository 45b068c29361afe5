"""Capacity where known (issue 18 item 3): a facility with a stated capacity counts by it.

Beji (SP2020 estimate: 195,007 residents) and hospitals: the norm is 240,000 residents per
hospital (so one is needed), the planning assumption one bed per 1,000 residents. The city's
hospital under test stands in Beji beside a private hospital from the Kemenkes list.
"""

import pytest

from assets_app.models import Asset
from assets_app.repurposing import asset_assessment, assets_assess
from facilities.models import ReferenceFacility
from geodata.models import District
from tests.conftest import BEJI_POINT

pytestmark = pytest.mark.django_db

BEJI = "32.76.06"


def capacity_check(asset) -> dict:
    [check] = [c for c in asset_assessment(asset=asset)["checks"] if c["rule"] == "capacity"]
    return check


def hospital(national_id: str, beds: int | None) -> ReferenceFacility:
    return ReferenceFacility.objects.create(
        kind="health",
        facility_type="hospital",
        category="rsu",
        level="referral",
        national_id=national_id,
        name=f"RS {national_id} (synthetic)",
        provider="private",
        capacity_beds=beds,
        lon=BEJI_POINT[0] + 0.002,
        lat=BEJI_POINT[1],
        kecamatan_id=BEJI,
        source="synthetic test row",
        synthetic=True,
    )


@pytest.fixture
def city_hospital(make_asset):
    assert District.objects.get(code=BEJI).population == 195_007
    return make_asset(use="health", facility_type="hospital", land_area_m2=5000.0)


def test_without_any_known_capacity_the_check_is_as_before(city_hospital):
    hospital("3276901", beds=None)
    check = capacity_check(city_hospital)
    assert check == {
        "rule": "capacity",
        "passed": True,
        "detail": check["detail"],
        "needed": 1,
        "available_after": 1,
        "kecamatan": BEJI,
        "kecamatan_population": 195_007,
    }


def test_a_known_capacity_is_used_and_can_fail_where_the_norm_passes(city_hospital):
    hospital("3276901", beds=150)
    check = capacity_check(city_hospital)
    assert check == {
        "rule": "capacity",
        "passed": False,
        "detail": check["detail"],
        "needed": 1,
        "available_after": 1,
        "kecamatan": BEJI,
        "kecamatan_population": 195_007,
        "capacity_unit": "beds",
        "residents_per_capacity_unit": 1000.0,
        "counted_by_capacity": 1,
        "counted_by_norm": 0,
        "supported_residents": 150_000,
    }
    assets_assess(queryset=Asset.objects.filter(pk=city_hospital.pk))
    city_hospital.refresh_from_db()
    assert city_hospital.repurposable is False  # the bulk verdict agrees
    assert check["detail"].endswith(
        " that would remain serve only 150,000 residents (1 counted by their stated capacity at "
        "1,000 residents per unit (beds), 0 by the norm of 240,000 each)."
    )


def test_known_and_unknown_capacities_add_up(city_hospital):
    hospital("3276901", beds=150)
    hospital("3276902", beds=None)
    check = capacity_check(city_hospital)
    assert (check["passed"], check["supported_residents"]) == (True, 150_000 + 240_000)
    assert (check["counted_by_capacity"], check["counted_by_norm"]) == (1, 1)
    assert check["detail"].endswith(
        " that would remain serve 390,000 residents (1 counted by their stated capacity at "
        "1,000 residents per unit (beds), 1 by the norm of 240,000 each)."
    )


def test_the_leaving_assets_own_capacity_does_not_count(city_hospital):
    # the city hospital is itself on the list with 400 beds (linked); a 200-bed private one stays
    own = hospital("3276901", beds=400)
    own.asset = city_hospital
    own.save()
    hospital("3276902", beds=200)
    check = capacity_check(city_hospital)
    assert (check["passed"], check["supported_residents"], check["available_after"]) == (
        True,
        200_000,
        1,
    )
