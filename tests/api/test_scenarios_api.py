"""`POST /api/v1/scenarios/repurposing/`: the what-if for a set over HTTP (issue 18 item 4).

The issue's scenario (two neighbouring schools at Sawangan's border, each repurposable alone,
not together) is reckoned in tests/assets_app/test_scenario.py; here the same figures arrive
over HTTP, bad sets are 400s naming `assets`, the roles that read assessments may ask, and a
what-if writes nothing.
"""

import pytest
from django.conf import settings
from rest_framework.throttling import ScopedRateThrottle

from assets_app.models import Asset
from assets_app.scenario import (
    ASSETS_DUPLICATE,
    ASSETS_EMPTY,
    ASSETS_NOT_FACILITY,
    ASSETS_TOO_MANY,
    ASSETS_UNKNOWN,
    MAX_ASSETS,
    repurposing_scenario,
)
from core.models import AuditEvent
from core.roles import ASSET_OFFICER, PLANNER, ROLES, STAFF_ROLES
from tests.assets_app.scenarios import expected_coverage
from tests.assets_app.test_scenario import (
    KELURAHAN_CODES,
    LOST_A,
    LOST_B,
    TOTALS,
    build_border_pair,
)
from tests.conftest import BEJI_POINT

pytestmark = pytest.mark.django_db

URL = "/api/v1/scenarios/repurposing/"
BEJI_KELURAHAN = "32.76.06.1002"


@pytest.fixture
def compound(make_asset):
    """The only two SDs of Depok, in one compound in Beji."""
    return [
        make_asset(use="education", facility_type="sd", lon=BEJI_POINT[0], lat=BEJI_POINT[1])
        for _ in range(2)
    ]


@pytest.fixture
def border_pair(make_asset):
    return build_border_pair(make_asset)


def _written() -> tuple:
    return (
        Asset.objects.count(),
        Asset.history.count(),
        AuditEvent.objects.count(),
        list(Asset.objects.order_by("pk").values_list("pk", "repurposable", "assessed_at")),
    )


def test_the_border_pair_over_http(client_as, border_pair):
    a, b = border_pair["a"], border_pair["b"]
    response = client_as("planner").post(URL, {"assets": [a.pk, b.pk]}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["repurposable_together"] is False
    assert [v["alone"] for v in body["verdicts"]] == [
        {"repurposable": True, "newly_uncovered_population": 0}
    ] * 2
    assert [
        (v["together"]["repurposable"], v["together"]["newly_uncovered_population"])
        for v in body["verdicts"]
    ] == [(False, LOST_A), (False, LOST_B)]
    assert [r["code"] for r in body["kelurahan"]] == KELURAHAN_CODES
    assert body["totals"] == [TOTALS]
    assert body["population_source"]["year"] == 2020
    # the answer is the selector's, as JSON
    assert body == repurposing_scenario(asset_ids=[a.pk, b.pk])


def test_a_compound_alone_and_together(client_as, compound):
    # given: each SD alone leaves nobody uncovered (its twin), but Beji needs 122 SDs
    first, second = compound
    catchment = expected_coverage(first, [], 1000.0)["covered_population"]
    # when
    response = client_as("asset_officer").post(
        URL, {"assets": [second.pk, first.pk]}, format="json"
    )
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["assets"] == [first.pk, second.pk]
    for verdict in body["verdicts"]:
        assert verdict["alone"] == {"repurposable": False, "newly_uncovered_population": 0}
        together = verdict["together"]
        assert together["newly_uncovered_population"] == catchment
        assert [c["rule"] for c in together["checks"] if not c["passed"]] == [
            "coverage",
            "capacity",
        ]
    [total] = body["totals"]
    assert total["covered_before"] == catchment
    assert total["covered_after"] == 0
    assert total["newly_outside"] == catchment
    assert total["outside_every_radius_after"] == total["population"] == 2_056_335
    beji = next(r for r in body["kelurahan"] if r["code"] == BEJI_KELURAHAN)
    assert (beji["facilities_before"], beji["facilities_after"]) == (2, 0)
    assert beji["covered_after"] == 0
    assert beji["uncovered_after"] == beji["population"]
    assert sum(r["covered_before"] for r in body["kelurahan"]) in range(
        catchment - len(body["kelurahan"]), catchment + len(body["kelurahan"]) + 1
    )


def test_a_what_if_writes_nothing(client_as, compound):
    client = client_as("planner")
    before = _written()
    ok = client.post(URL, {"assets": [a.pk for a in compound]}, format="json")
    bad = client.post(URL, {"assets": [compound[0].pk, 10**9]}, format="json")
    assert (ok.status_code, bad.status_code) == (200, 400)
    assert _written() == before


@pytest.mark.parametrize("role", ROLES)
def test_roles(client_as, compound, role):
    response = client_as(role).post(URL, {"assets": [compound[0].pk]}, format="json")
    assert response.status_code == (200 if role in STAFF_ROLES else 403)


def test_anonymous_is_401(api_client, compound):
    response = api_client.post(URL, {"assets": [compound[0].pk]}, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("assets", "message"),
    [
        ([], str(ASSETS_EMPTY)),
        (list(range(1, MAX_ASSETS + 2)), str(ASSETS_TOO_MANY).format(max_length=MAX_ASSETS)),
    ],
)
def test_empty_and_too_many(client_as, assets, message):
    response = client_as("planner").post(URL, {"assets": assets}, format="json")
    assert response.status_code == 400
    assert response.json() == {"assets": [message]}


def test_duplicates_unknown_and_non_facilities(client_as, compound, make_asset):
    client = client_as("planner")
    sd = compound[0]
    office = make_asset(use="office")
    cases = [
        ([sd.pk, sd.pk], str(ASSETS_DUPLICATE).format(ids=sd.pk)),
        ([sd.pk, 10**9], str(ASSETS_UNKNOWN).format(ids=10**9)),
        ([office.pk, sd.pk], str(ASSETS_NOT_FACILITY).format(ids=office.pk)),
    ]
    for assets, message in cases:
        response = client.post(URL, {"assets": assets}, format="json")
        assert (response.status_code, response.json()) == (400, {"assets": [message]})


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"assets": None},
        {"assets": "1"},
        {"assets": [0]},
        {"assets": [-3]},
        {"assets": ["x"]},
        {"assets": [2**70]},
        {"assets": [1.5]},
        {"assets": [[1]]},
        {"assets": {"1": 2}},
    ],
)
def test_malformed_bodies_name_assets(client_as, body):
    response = client_as("planner").post(URL, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["assets"]


def test_unknown_fields_and_non_objects_are_400(client_as, compound):
    client = client_as("planner")
    extra = client.post(URL, {"assets": [compound[0].pk], "year": 2030}, format="json")
    assert extra.status_code == 400
    assert list(extra.json()) == ["year"]
    for raw in ("[1, 2]", "null", "3", '"x"', "{"):
        response = client.post(URL, raw, content_type="application/json")
        assert response.status_code == 400, raw


def test_errors_in_indonesian(client_as):
    client = client_as("planner")
    response = client.post(URL, {"assets": []}, format="json", HTTP_ACCEPT_LANGUAGE="id")
    assert (response.status_code, response.json()) == (
        400,
        {"assets": ["Berikan setidaknya satu aset."]},
    )


def test_what_ifs_are_throttled_per_user(client_as, compound, monkeypatch):
    # given: a budget of two what-ifs a minute (DRF reads the rates once onto the class)
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"scenario": "2/minute"})
    planner, other = client_as(PLANNER), client_as(ASSET_OFFICER)
    body = {"assets": [compound[0].pk]}

    # when
    answers = [planner.post(URL, body, format="json").status_code for _ in range(3)]
    throttled = planner.post(URL, body, format="json")

    # then: the third and later are 429 with Retry-After; another user still has her budget
    assert answers == [200, 200, 429]
    assert throttled.status_code == 429
    assert 1 <= int(throttled["Retry-After"]) <= 60
    assert other.post(URL, body, format="json").status_code == 200


def test_the_schema_documents_the_throttle(client_as):
    schema = client_as(PLANNER).get("/api/v1/schema/", {"format": "json"}).json()
    responses = schema["paths"]["/api/v1/scenarios/repurposing/"]["post"]["responses"]
    assert "429" in responses
    assert "scenario" in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
