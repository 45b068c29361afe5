"""Hostile query strings that schema fuzzing turned into 500s, now 400s naming the parameter."""

import pytest

from api.assets.filtersets import UNKNOWN_CHOICE
from assets_app.models import Asset, FacilityType, Status, Use
from core.middleware import NULL_CHARACTERS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "param", "sent", "choices"),
    [
        # django-filter %-formats every message; one quoting "%s" was a TypeError (a 500)
        ("use=%25s", "use", "%s", Use),
        ("use=office,%25(x)s", "use", "%(x)s", Use),
        ("status=%25d", "status", "%d", Status),
        ("facility_type=100%25", "facility_type", "100%", FacilityType),
    ],
)
def test_a_percent_sign_in_a_choice_is_a_400_quoting_it(
    client_as, make_asset, query, param, sent, choices
):
    make_asset()
    response = client_as("planner").get(f"/api/v1/assets/?{query}")
    assert response.status_code == 400
    allowed = ", ".join(choices.values)
    assert response.json() == {param: [str(UNKNOWN_CHOICE).format(value=sent, allowed=allowed)]}


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/outlets/?district=%00", "district"),  # PostgreSQL: DataError, a 500
        ("/api/v1/assets/?district=32.76%0006", "district"),
        ("/api/v1/assets/?q=beji%00", "q"),
        ("/api/v1/audit/?user=%00", "user"),
        ("/api/v1/districts/?ordering=%00code", "ordering"),
        ("/api/v1/assets/?%00=1", "query"),
    ],
)
def test_a_null_character_in_a_query_is_a_400_naming_it(client_as, make_asset, url, param):
    make_asset()
    response = client_as("planner").get(url)
    assert response.status_code == 400
    assert response.json() == {param: [str(NULL_CHARACTERS)]}
    assert Asset.objects.count() == 1
