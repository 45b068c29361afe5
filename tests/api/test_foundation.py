"""API foundation: sign-in, districts (JSON and GeoJSON), errors, schema, docs, health."""

import re

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token

from core.roles import ROLES

pytestmark = pytest.mark.django_db


def test_token_sign_in(api_client, make_user):
    user = make_user("planner", username="siti", password="Correct-horse-9")
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "siti", "password": "Correct-horse-9"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=user).key}


def test_token_sign_in_with_wrong_password_is_400(api_client, make_user):
    make_user("planner", username="siti", password="Correct-horse-9")
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "siti", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    missing = api_client.post("/api/v1/auth/token/", {}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()) == {"username", "password"}


@pytest.mark.parametrize("path", ["/api/v1/districts/", "/api/v1/districts/32.76.06/"])
def test_anonymous_gets_401(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert list(response.json()) == ["detail"]


def test_bad_token_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api_client.get("/api/v1/districts/").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_districts(client_as, role):
    response = client_as(role).get("/api/v1/districts/?level=kecamatan")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 11
    assert [d["code"] for d in body["results"]][:2] == ["32.76.01", "32.76.02"]
    assert "geometry" not in body["results"][0]


def test_district_list_fields_and_filters(client_as):
    client = client_as("planner")
    body = client.get("/api/v1/districts/?parent=32.76.06").json()
    assert body["count"] == 6
    first = body["results"][0]
    assert first == {
        "code": "32.76.06.1001",
        "name": first["name"],
        "level": "kelurahan",
        "parent_code": "32.76.06",
        "bps_code": first["bps_code"],
        "population": None,
        "population_year": None,
        "population_source": "",
        "area_km2": first["area_km2"],
        "bbox": first["bbox"],
        "lon": first["lon"],
        "lat": first["lat"],
    }
    assert client.get("/api/v1/districts/?level=kelurahan").json()["count"] == 63


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("level=province", "level"),
        ("parent=99.99", "parent"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=abc", "limit"),
        ("offset=-1", "offset"),
        ("ordering=nope", "ordering"),
    ],
)
def test_bad_district_parameters_are_400_naming_them(client_as, query, field):
    response = client_as("planner").get(f"/api/v1/districts/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_paging_across_pages(client_as):
    client = client_as("planner")
    first = client.get("/api/v1/districts/?level=kelurahan&limit=50").json()
    second = client.get(first["next"]).json()
    assert first["count"] == second["count"] == 63
    assert len(first["results"]) == 50
    assert len(second["results"]) == 13
    assert second["next"] is None
    codes = [d["code"] for d in first["results"] + second["results"]]
    assert len(set(codes)) == 63


def test_district_detail_and_404(client_as):
    client = client_as("vendor")
    beji = client.get("/api/v1/districts/32.76.06/").json()
    assert beji["name"] == "Beji"
    assert beji["geometry"]["type"] == "Polygon"
    missing = client.get("/api/v1/districts/32.76.99/")
    assert missing.status_code == 404
    assert list(missing.json()) == ["detail"]


def test_geojson_feature_collection(client_as):
    client = client_as("planner")
    response = client.get("/api/v1/districts/?format=geojson&parent=32.76.06&limit=4")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["numberMatched"] == 6
    assert body["numberReturned"] == 4
    assert [link["rel"] for link in body["links"]] == ["next"]
    assert body["links"][0]["type"] == "application/geo+json"
    feature = body["features"][0]
    assert feature["type"] == "Feature"
    assert feature["id"] == "32.76.06.1001"
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert "geometry" not in feature["properties"]
    assert feature["properties"]["parent_code"] == "32.76.06"
    page2 = client.get(body["links"][0]["href"]).json()
    assert page2["numberReturned"] == 2
    assert [link["rel"] for link in page2["links"]] == ["prev"]


def test_format_parameter_wins_over_accept_header(client_as):
    response = client_as("planner").get(
        "/api/v1/districts/?format=geojson&limit=1", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response.json()["type"] == "FeatureCollection"


def test_unknown_format_is_400_naming_format(client_as):
    response = client_as("planner").get("/api/v1/districts/?format=shapefile")
    assert response.status_code == 400
    assert list(response.json()) == ["format"]


def test_geojson_by_accept_header(client_as):
    client = client_as("planner")
    response = client.get("/api/v1/districts/32.76.06/", HTTP_ACCEPT="application/geo+json")
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "Feature"
    assert body["id"] == "32.76.06"
    assert body["properties"]["name"] == "Beji"


def _api_paths(resolver=None, prefix=""):
    """Every route under /api/v1/ as an OpenAPI-style path."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _api_paths(entry, pattern)
        elif isinstance(entry, URLPattern):
            yield pattern


def _normalise(route: str) -> str | None:
    route = route.replace("^", "").replace("$", "")
    if not route.startswith("api/v1/") or "format" in route or route in {"api/v1/"}:
        return None
    if route.startswith(("api/v1/schema", "api/v1/docs")):
        return None
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    route = route.replace("\\.", ".").replace("/?", "/")
    route = re.sub(r"\{(pk|id|code)\}", "{id}", route)
    return "/" + route


def test_openapi_schema_lists_every_endpoint(client_as):
    response = client_as("planner").get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    documented = {re.sub(r"\{(pk|id|code)\}", "{id}", p) for p in schema["paths"]}
    routed = {p for p in (_normalise(r) for r in _api_paths()) if p}
    assert routed, "no routes found"
    assert routed - documented == set()
    assert "/api/v1/districts/" in documented
    assert "/api/v1/auth/token/" in documented


def test_swagger_ui_is_served_offline(api_client):
    response = api_client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r"https?://(?!127\.0\.0\.1|localhost|testserver)", html)


def test_healthz(api_client):
    response = api_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_create_user_command(capsys):
    call_command("create_user", "budi", "--role", "planner", "--role", "asset_officer")
    out = capsys.readouterr().out.strip()
    username, roles, token = out.split("\t")
    assert (username, roles) == ("budi", "planner,asset_officer")
    assert Token.objects.get(user__username="budi").key == token
    from django.contrib.auth.models import User

    assert sorted(User.objects.get(username="budi").groups.values_list("name", flat=True)) == [
        "asset_officer",
        "planner",
    ]


def test_create_user_refuses_a_duplicate():
    from django.core.management.base import CommandError

    call_command("create_user", "budi", "--role", "planner")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_user", "budi", "--role", "vendor")


def test_role_groups_exist_after_migration():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
