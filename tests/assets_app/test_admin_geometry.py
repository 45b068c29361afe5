"""The admin edits an asset's geometry on a small Leaflet map (no GDAL): the page carries the
map widget and its static files (no CDN, no inline script), a moved point saves through the
services (the kelurahan follows), and a bad geometry is a form error, never a 500."""

import json

import pytest
from django.test import Client

from core.roles import ASSET_OFFICER

pytestmark = pytest.mark.django_db

PASSWORD = "Pass-word-123"
ASSETS = "/admin/assets_app/asset/"
# The fixtures put assets in Kukusan (Beji); this point is in another kecamatan.
PANCORAN_MAS = [106.82521, -6.40132]


def officer_client(make_user) -> Client:
    make_user(ASSET_OFFICER, username="ani", agency="DISDIK")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/admin/login/?next=/admin/", {"username": "ani", "password": PASSWORD})
    return client


def form_for(asset, **changes) -> dict:
    data = {
        "register_code": asset.register_code,
        "name": asset.name,
        "category": asset.category,
        "use": asset.use,
        "facility_type": asset.facility_type,
        "custodian_agency": asset.custodian_agency_id,
        "land_area_m2": asset.land_area_m2,
        "geometry": json.dumps(asset.geometry),
        "condition": asset.condition,
        "status": asset.status,
    }
    data.update(changes)
    return {key: "" if value is None else value for key, value in data.items()}


def test_the_asset_page_shows_the_geometry_on_a_map(make_user, make_asset):
    client = officer_client(make_user)
    asset = make_asset(custodian_agency="DISDIK")

    response = client.get(f"{ASSETS}{asset.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "data-admin-geo" in html
    assert 'class="admin-geo-map"' in html
    assert '<script src="/static/leaflet/leaflet.js"></script>' in html
    assert '<script src="/static/admin_geo/geometry.js" type="module"></script>' in html
    assert 'href="/static/admin_geo/geometry.css"' in html
    # The textarea stays the posted field (and the way to edit without JavaScript).
    assert '<textarea name="geometry"' in html
    assert "106.81794" in html
    assert "<script>" not in html  # nothing inline: the Content-Security-Policy holds


def test_a_moved_point_saves_through_the_services(make_user, make_asset):
    client = officer_client(make_user)
    asset = make_asset(custodian_agency="DISDIK")
    assert asset.kelurahan.name == "Kukusan"

    moved = {"type": "Point", "coordinates": PANCORAN_MAS}
    response = client.post(
        f"{ASSETS}{asset.pk}/change/", form_for(asset, geometry=json.dumps(moved))
    )

    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.geometry == moved
    assert (asset.lon, asset.lat) == tuple(PANCORAN_MAS)
    assert asset.kelurahan_id == "32.76.01.1006"
    assert asset.history.first().history_user.username == "ani"


def test_a_polygon_saves_and_its_point_is_derived(make_user, make_asset):
    client = officer_client(make_user)
    asset = make_asset(custodian_agency="DISDIK")
    ring = [[106.8179, -6.3723], [106.8181, -6.3723], [106.8181, -6.3721], [106.8179, -6.3721]]
    polygon = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}

    response = client.post(
        f"{ASSETS}{asset.pk}/change/", form_for(asset, geometry=json.dumps(polygon))
    )

    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.geometry == polygon
    assert (asset.min_lon, asset.max_lat) == (106.8179, -6.3721)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "Enter a valid JSON."),
        ('{"type": "Point", "coordinates": [100.0, 1.0]}', "outside"),
        ('{"type": "Point", "coordinates": "x"}', ""),
        ('{"type": "LineString", "coordinates": [[106.8, -6.4], [106.81, -6.41]]}', ""),
        ("5", ""),
        ('{"type": "Polygon", "coordinates": [[[106.8, -6.4], [106.81, -6.4]]]}', ""),
    ],
)
def test_a_bad_geometry_is_a_form_error(make_user, make_asset, text, message):
    client = officer_client(make_user)
    asset = make_asset(custodian_agency="DISDIK")
    before = (asset.geometry, asset.history.count())

    response = client.post(f"{ASSETS}{asset.pk}/change/", form_for(asset, geometry=text))

    assert response.status_code == 200  # the form again, with the error on the geometry
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["geometry"]
    assert message in " ".join(errors["geometry"])
    asset.refresh_from_db()
    assert (asset.geometry, asset.history.count()) == before
