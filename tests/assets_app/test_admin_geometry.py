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


# What the admin map's polygon drawing may post by a slip of the hand; the form must say why.
BOWTIE = [[106.8177, -6.3720], [106.8181, -6.3724], [106.8181, -6.3720], [106.8177, -6.3724]]


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        # Corners clicked crosswise: the sides cross.
        ({"type": "Polygon", "coordinates": [[*BOWTIE, BOWTIE[0]]]}, "Self-intersection"),
        # The same corner clicked twice and a third back on the first side: no area.
        (
            {
                "type": "Polygon",
                "coordinates": [[BOWTIE[0], BOWTIE[2], BOWTIE[2], BOWTIE[0]]],
            },
            "Too few points",
        ),
        # A ring left open (hand-edited JSON).
        ({"type": "Polygon", "coordinates": [BOWTIE[:3] + [BOWTIE[1]]]}, "ring is not closed"),
        # A MultiPolygon whose parts overlap.
        (
            {
                "type": "MultiPolygon",
                "coordinates": [
                    [
                        [
                            [106.8177, -6.3720],
                            [106.8181, -6.3720],
                            [106.8181, -6.3724],
                            [106.8177, -6.3720],
                        ]
                    ],
                    [
                        [
                            [106.8179, -6.3720],
                            [106.8183, -6.3720],
                            [106.8183, -6.3724],
                            [106.8179, -6.3720],
                        ]
                    ],
                ],
            },
            "Self-intersection",
        ),
    ],
)
def test_an_invalid_polygon_is_a_form_error_not_a_500(make_user, make_asset, geometry, message):
    client = officer_client(make_user)
    asset = make_asset(custodian_agency="DISDIK")
    before = (asset.geometry, asset.history.count())

    response = client.post(
        f"{ASSETS}{asset.pk}/change/", form_for(asset, geometry=json.dumps(geometry))
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["geometry"]
    assert message in " ".join(errors["geometry"])
    assert "errornote" in response.content.decode()  # the admin's "please correct" banner
    asset.refresh_from_db()
    assert (asset.geometry, asset.history.count()) == before


def test_a_self_intersection_is_explained_in_indonesian(make_user, make_asset):
    client = officer_client(make_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "id"
    asset = make_asset(custodian_agency="DISDIK")
    bowtie = {"type": "Polygon", "coordinates": [[*BOWTIE, BOWTIE[0]]]}

    response = client.post(
        f"{ASSETS}{asset.pk}/change/", form_for(asset, geometry=json.dumps(bowtie))
    )

    assert response.status_code == 200
    text = " ".join(response.context["adminform"].form.errors["geometry"])
    assert text.startswith("Geometri tidak sah: Berpotongan dengan dirinya sendiri")
    assert "106.8179 -6.3722" in text  # where the sides cross


def test_the_map_toolbar_is_real_buttons_hidden_until_the_script_runs(make_user, make_asset):
    client = officer_client(make_user)
    asset = make_asset(custodian_agency="DISDIK")

    html = client.get(f"{ASSETS}{asset.pk}/change/").content.decode()

    # Hidden without JavaScript (the textarea alone then edits the geometry); type="button" so
    # that none of them submits the form.
    assert '<div class="admin-geo-tools" role="group" aria-label="Geometry tools" hidden>' in html
    for name, label in [("point", "Point"), ("draw", "Draw polygon")]:
        assert (
            f'<button type="button" class="button admin-geo-{name}" aria-pressed="false">'
            f"{label}</button>"
        ) in html
    assert '<button type="button" class="button admin-geo-finish" hidden>Finish</button>' in html
    assert 'class="button admin-geo-remove" aria-disabled="true">Remove corner</button>' in html
    # The script's texts, translated by the page.
    assert 'data-msg-few="A polygon needs at least 3 corners."' in html
    assert 'data-msg-corner="Corner %(n)s of %(count)s: drag to move, Delete to remove"' in html
    assert '<p class="admin-geo-status" role="status" aria-live="polite"></p>' in html


def test_the_map_toolbar_speaks_indonesian(make_user, make_asset):
    client = officer_client(make_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "id"
    asset = make_asset(custodian_agency="DISDIK")

    html = client.get(f"{ASSETS}{asset.pk}/change/").content.decode()

    for label in ["Titik", "Gambar poligon", "Selesai", "Hapus sudut"]:
        assert f">{label}</button>" in html
    assert 'aria-label="Alat geometri"' in html
    assert 'data-msg-few="Poligon memerlukan sedikitnya 3 sudut."' in html
