"""Security headers and who reads the API docs: a strict Content-Security-Policy on HTML pages
(whose markup then carries no inline script or style), a Permissions-Policy on every response,
and the schema, Swagger UI and browsable API only for staff when API_DOCS_PUBLIC is off."""

from html.parser import HTMLParser

import pytest
from django.test import Client

from core.security import PERMISSIONS_POLICY, content_security_policy, tile_source
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


class InlineFinder(HTMLParser):
    """Inline scripts, <style> blocks, style attributes and event-handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "style":
            self.found.append("<style>")
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self._in_script = True
        for name in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}>")

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"<script>{data.strip()[:40]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def inline_parts(html: bytes) -> list[str]:
    finder = InlineFinder()
    finder.feed(html.decode())
    return finder.found


@pytest.mark.parametrize(
    "url",
    [
        "/map/",
        "/accounts/login/",
        "/admin/login/",
        "/api/v1/docs/",
        "/api/v1/districts/",
        "/api/v1/assets/",
    ],
)
def test_html_pages_carry_the_policy_and_no_inline_script_or_style(make_user, url):
    client = signed_in(make_user("planner"))
    if url == "/admin/login/":
        client = Client()
    response = client.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Security-Policy"] == CSP
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert inline_parts(response.content) == []


def test_swagger_ui_sets_itself_up_from_a_script_file(make_user):
    client = signed_in(make_user("planner"))
    page = client.get("/api/v1/docs/")
    assert b'src="/api/v1/docs/?script="' in page.content
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"] == "application/javascript"
    assert b"SwaggerUIBundle" in script.content


def test_json_answers_carry_the_permissions_policy_only(client_as):
    response = client_as("planner").get("/api/v1/districts/")
    assert response["Content-Type"] == "application/json"
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert "Content-Security-Policy" not in response
    health = Client().get("/healthz")
    assert health["Permissions-Policy"] == PERMISSIONS_POLICY


def test_the_permissions_policy_turns_off_what_no_page_uses():
    assert PERMISSIONS_POLICY == (
        "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
        "magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
    )


def test_the_map_tile_server_is_allowed_for_images(settings, make_user):
    settings.MAP_TILE_URL = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
    response = signed_in(make_user("planner")).get("/map/")
    assert response["Content-Security-Policy"] == CSP.replace(
        "img-src 'self' data:", "img-src 'self' data: https://*.tile.openstreetmap.org"
    )


@pytest.mark.parametrize(
    ("tile_url", "source"),
    [
        ("", ""),
        ("https://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org"),
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("https://a.{s}.example.org/{z}/{x}/{y}.png", "https:"),
        ("javascript:alert(1)", ""),
    ],
)
def test_tile_sources(tile_url, source):
    assert tile_source(tile_url) == source


def test_the_policy_has_every_directive(settings):
    settings.MAP_TILE_URL = ""
    assert content_security_policy() == CSP


# --- API docs and the browsable API --------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/schema/", "/api/v1/docs/"])
def test_docs_are_for_staff_only_when_not_public(settings, make_user, admin_user, url):
    settings.API_DOCS_PUBLIC = False
    assert Client().get(url).status_code == 401
    assert client_for(make_user("vendor")).get(url).status_code == 403
    assert client_for(make_user("planner")).get(url).status_code == 200
    assert signed_in(admin_user).get(url).status_code == 200


def test_docs_are_public_when_configured(settings):
    settings.API_DOCS_PUBLIC = True
    assert Client().get("/api/v1/schema/?format=json").status_code == 200


def test_the_browsable_api_is_for_staff_only_when_not_public(settings, make_user):
    settings.API_DOCS_PUBLIC = False
    browser = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}
    vendor = signed_in(make_user("vendor")).get("/api/v1/districts/", **browser)
    assert vendor.status_code == 200
    assert vendor["Content-Type"] == "application/json"
    asked = client_for(make_user("vendor")).get("/api/v1/districts/?format=api")
    assert asked["Content-Type"] == "application/json"
    planner = signed_in(make_user("planner")).get("/api/v1/districts/", **browser)
    assert planner.status_code == 200
    assert planner["Content-Type"].startswith("text/html")
