"""The planners' map page: who may open it, what it loads, and what it tells the script."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from core.roles import ASSET_OFFICER, STAFF_ROLES, VENDOR
from web.map_config import MAP_STRINGS, MAX_FEATURES, POINTS_MIN_ZOOM, USE_COLORS

pytestmark = pytest.mark.django_db

PASSWORD = "Pass-word-123"


def signed_in(make_user, *roles) -> Client:
    user = make_user(*roles)
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def page_config(response) -> dict:
    match = re.search(
        r'<script id="map-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match is not None
    return json.loads(match.group(1))


def test_anonymous_is_sent_to_the_sign_in_page():
    response = Client().get("/map/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/map/"


def test_vendor_is_forbidden(make_user):
    response = signed_in(make_user, VENDOR).get("/map/")
    assert response.status_code == 403
    assert b"map-config" not in response.content


def test_user_without_a_role_is_forbidden(make_user):
    assert signed_in(make_user).get("/map/").status_code == 403


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_roles_open_the_map(make_user, role):
    response = signed_in(make_user, role).get("/map/")
    assert response.status_code == 200
    assert response.templates[0].name == "map/map.html"
    html = response.content.decode()
    for testid in (
        "map",
        "filter-district",
        "filter-use",
        "filter-status",
        "filter-repurposable",
        "stat-select",
        "toggle-kelurahan",
        "details",
        "programme-panel",
    ):
        assert f'data-testid="{testid}"' in html
    # The programme panel stays hidden until its endpoint answers.
    assert re.search(r'<section id="programme"[^>]*\bhidden\b', html)


def test_page_loads_only_local_static_files(make_user):
    html = signed_in(make_user, "planner").get("/map/").content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources == [
        "data:,",  # no favicon request
        "/static/map/site.css",
        "/static/leaflet/leaflet.css",
        "/static/map/map.css",
        "/static/leaflet/leaflet.js",
        "/static/map/map.js",
    ]
    assert not re.search(r"https?://", " ".join(sources))
    assert "unpkg" not in html
    # no CDN address anywhere (a bare "cdn" may turn up inside the random CSRF token)
    assert not re.search(r"(?:https?:)?//[^\s\"'<>]*cdn", html, re.IGNORECASE)
    for source in sources[1:]:
        assert finders.find(source.removeprefix("/static/")) is not None, source


def test_map_config_names_the_api_and_the_limits(make_user):
    config = page_config(signed_in(make_user, "planner").get("/map/"))
    assert config["urls"] == {
        "districts": "/api/v1/districts/",
        "assets": "/api/v1/assets/",
        "assessment": "/api/v1/assets/{id}/assessment/",
        "history": "/api/v1/assets/{id}/history/",
        "outlets": "/api/v1/outlets/",
        "stalls": "/api/v1/outlets/{id}/stalls/",
        "asset_page": "/aset/{id}/",
        "outlet_page": "/gerai/{id}/",
        "login": "/accounts/login/?next=/map/",
        "stats_districts": "/api/v1/stats/districts/",
        "programme": "/api/v1/stats/programme/",
    }
    assert config["limit"] == MAX_FEATURES == 1000
    assert config["points_min_zoom"] == POINTS_MIN_ZOOM
    assert config["use_colors"] == USE_COLORS
    assert sorted(config["use_labels"]) == sorted(USE_COLORS)
    assert config["strings"] == {key: str(value) for key, value in MAP_STRINGS.items()}
    assert config["tile_url"] == ""
    assert config["can_view_history"] is False


def test_officers_are_told_they_can_open_the_history(make_user):
    config = page_config(signed_in(make_user, ASSET_OFFICER).get("/map/"))
    assert config["can_view_history"] is True


def test_tile_url_setting_adds_a_base_map(make_user, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    config = page_config(signed_in(make_user, "planner").get("/map/"))
    assert config["tile_url"] == "https://tiles.example.org/{z}/{x}/{y}.png"


def test_sign_in_form_leads_to_the_map(make_user):
    user = make_user("planner")
    client = Client()
    form = client.get("/accounts/login/?next=/map/")
    assert form.status_code == 200
    assert b'data-testid="login-form"' in form.content
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD, "next": "/map/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/map/"
    assert client.get("/map/").status_code == 200


def test_wrong_password_shows_the_form_again(make_user):
    user = make_user("planner")
    response = Client().post("/accounts/login/", {"username": user.username, "password": "nope"})
    assert response.status_code == 200
    assert b'data-testid="login-error"' in response.content
