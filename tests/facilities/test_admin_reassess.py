"""A reference facility added, corrected or deleted in /admin/ re-assesses the city's assets it
can move, in the same request, as an import does (issue 18: private supply counts).

The set-up is the Sawangan scenario of test_scenario_private_supply: the city's SD on the
central node is repurposable only while the 12 private SDs within 1,300 m of it serve.
"""

import pytest
from django.forms.models import model_to_dict

from facilities.models import ReferenceFacility
from facilities.services import facilities_import
from tests.facilities.test_scenario_private_supply import (
    private_csv,
    sawangan,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/facilities/referencefacility/"


@pytest.fixture
def scenario(sawangan):  # noqa: F811 (the fixture imported above)
    return sawangan


def imported(scenario) -> list[ReferenceFacility]:
    facilities_import(
        file=private_csv(scenario["near"] + scenario["far"]), fmt="csv", user=None, source="test"
    )
    central = scenario["central"]
    central.refresh_from_db()
    assert central.repurposable is True
    return list(ReferenceFacility.objects.order_by("national_id"))


def near_ones(private) -> list[ReferenceFacility]:
    # private_csv numbers the near nodes first
    return private[:12]


def form_data(facility: ReferenceFacility, **changes) -> dict:
    data = {
        name: ("" if value is None else value)
        for name, value in model_to_dict(facility).items()
        if name not in ("id", "kelurahan", "kecamatan")
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not False}


def test_deleting_the_private_schools_in_the_admin_flips_the_city_school(admin_client, scenario):
    private = imported(scenario)
    central = scenario["central"]

    # when: the 12 near private schools are deleted with the list's bulk action
    response = admin_client.post(
        CHANGELIST,
        {
            "action": "delete_selected",
            "post": "yes",
            "_selected_action": [f.pk for f in near_ones(private)],
        },
        follow=True,
    )

    # then: the city's SD is no longer repurposable, stored at once, and the officer is told
    assert response.status_code == 200
    assert ReferenceFacility.objects.count() == 61
    central.refresh_from_db()
    assert central.repurposable is False
    assert "city assets re-assessed" in response.content.decode()

    # and: importing them again brings it back
    imported(scenario)


def test_closing_them_one_by_one_flips_it_and_a_move_takes_its_district(admin_client, scenario):
    private = imported(scenario)
    central = scenario["central"]
    near = near_ones(private)

    # when: each near private school is set closed through its change form
    for facility in near:
        response = admin_client.post(
            f"{CHANGELIST}{facility.pk}/change/", form_data(facility, status="closed")
        )
        assert response.status_code == 302, response.content[:2000]

    # then
    central.refresh_from_db()
    assert central.repurposable is False
    assert set(
        ReferenceFacility.objects.filter(pk__in=[f.pk for f in near]).values_list(
            "status", flat=True
        )
    ) == {"closed"}

    # when: one is reopened and moved to Beji, far from the city's SD
    moved = near[0]
    response = admin_client.post(
        f"{CHANGELIST}{moved.pk}/change/",
        form_data(moved, status="operating", lon=106.8186, lat=-6.3718),
    )

    # then: its district follows the point, and the city's SD stays not repurposable
    assert response.status_code == 302
    moved.refresh_from_db()
    assert (moved.kecamatan_id, moved.kelurahan_id[:8]) == ("32.76.06", "32.76.06")
    central.refresh_from_db()
    assert central.repurposable is False


def test_a_point_far_from_depok_is_refused_and_nothing_changes(admin_client, scenario):
    private = imported(scenario)
    facility = private[0]

    response = admin_client.post(
        f"{CHANGELIST}{facility.pk}/change/", form_data(facility, lon=-6.37, lat=106.81)
    )

    assert response.status_code == 200  # the form again, with the error
    assert "not in or near Depok" in response.content.decode()
    facility.refresh_from_db()
    assert facility.lon != -6.37
