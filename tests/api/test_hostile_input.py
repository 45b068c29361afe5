"""Hostile query strings that schema fuzzing turned into 500s, now 400s naming the parameter."""

import pytest

from api.assets.filtersets import UNKNOWN_CHOICE
from api.exceptions import BAD_REQUEST_MESSAGE
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


def test_an_audit_time_with_any_valid_offset_is_answered(client_as):
    # Python takes offsets up to 23:59, PostgreSQL only to 15:59: the filter converts to UTC
    response = client_as("planner").get("/api/v1/audit/?until=1729-11-03T08:44:25%2B20:29")
    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00%2B05:00", "9999-12-31T23:59:59-05:00"])
def test_an_audit_time_outside_what_utc_can_hold_is_a_400(client_as, value):
    response = client_as("planner").get(f"/api/v1/audit/?since={value}")
    assert response.status_code == 400
    assert list(response.json()) == ["since"]


def test_an_unrouted_api_path_is_a_json_404(client_as, api_client):
    for client in (api_client, client_as("planner")):
        response = client.get("/api/v1/no-such-thing/")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found."}


def test_an_unrouted_page_outside_the_api_keeps_the_html_404(api_client):
    response = api_client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_too_many_query_fields_is_a_json_400(client_as, settings):
    # Django refuses to parse more than DATA_UPLOAD_MAX_NUMBER_FIELDS before any view runs.
    query = "&".join(f"p{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client_as("planner").get(f"/api/v1/assets/?{query}")
    assert response.status_code == 400
    assert response.json() == {"detail": str(BAD_REQUEST_MESSAGE)}


def test_an_unrouted_api_path_answers_in_indonesian_by_default(api_client):
    response = api_client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 404
    assert response.json() == {"detail": "Data tidak ditemukan."}
