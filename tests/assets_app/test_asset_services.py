"""Asset services and selectors: validation shared with the importer, derivation, history."""

import random

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

import numpy as np
import shapely
from shapely.geometry import shape

from assets_app.models import Asset
from assets_app.services import (
    FACILITY_TYPE_MISMATCH,
    OUTSIDE_DEPOK,
    asset_register,
    asset_rule_errors,
    asset_update,
    geometries_derive,
)
from geodata.boundaries import kelurahan, locate_point, locate_points
from geodata.spatial import parse_geometry, to_geojson

DATA = {
    "register_code": "S-1",
    "name": "Kantor",
    "category": "building",
    "use": "office",
    "geometry": {"type": "Point", "coordinates": [106.81794, -6.37229]},
}


def test_locating_points_follows_the_rule_everywhere():
    # The one locating function (geodata.boundaries.locate_points, which the services and
    # locate_point use) against the rule written out plainly: every kelurahan whose closure
    # holds the point, the lowest code on a shared border, none outside Depok.
    rng = random.Random(7)
    points = [(rng.uniform(106.70, 106.93), rng.uniform(-6.47, -6.30)) for _ in range(3000)]
    for item in kelurahan():
        points.extend(shapely.get_coordinates(item.geometry.boundary)[:5].tolist())
    kel, kec = locate_points(points)
    geometries = shapely.points(points)
    expected = [None] * len(points)
    for item in sorted(kelurahan(), key=lambda b: b.code, reverse=True):
        for i in np.flatnonzero(shapely.intersects(item.geometry, geometries)):
            expected[i] = item
    assert kel == [e.code if e else None for e in expected]
    assert kec == [e.parent_code if e else None for e in expected]
    assert None in kel  # the sample reaches outside the city too
    assert [locate_point(lon, lat).kelurahan_code for lon, lat in points[:50]] == kel[:50]


def test_derived_geometry_is_rounded_like_the_shared_helper_and_stable():
    geom = parse_geometry(
        {
            "type": "Polygon",
            "coordinates": [
                [
                    [106.81, -6.37],
                    [106.81234567891, -6.37],
                    [106.8123, -6.37123456789],
                    [106.81, -6.37],
                ]
            ],
        }
    )
    first = geometries_derive([geom])
    stored = shapely.from_geojson(first.texts[0])
    again = geometries_derive([stored])
    assert first.texts == again.texts
    # the same shape as the shared helper gives (which may start a ring elsewhere)
    assert shapely.equals(stored, shape(to_geojson(geom)))
    assert first.bounds.tolist() == [[106.81, -6.3712346, 106.8123457, -6.37]]
    assert first.kelurahan == ["32.76.06.1002"]


def test_rule_errors():
    assert asset_rule_errors({"use": "education", "facility_type": "sd"}) == {}
    assert asset_rule_errors({"use": "office", "facility_type": ""}) == {}
    assert asset_rule_errors({"use": "office", "facility_type": "sd"}) == {
        "facility_type": [str(FACILITY_TYPE_MISMATCH).format(facility_type="sd", use="office")]
    }


@pytest.mark.django_db
def test_register_collects_every_problem_at_once():
    with pytest.raises(ValidationError) as caught:
        asset_register(
            user=None,
            data={
                **DATA,
                "use": "health",
                "facility_type": "sd",
                "land_area_m2": -1,
                "geometry": {"type": "Point", "coordinates": [106.8456, -6.2088]},
            },
        )
    errors = caught.value.message_dict
    assert sorted(errors) == ["facility_type", "geometry", "land_area_m2"]
    assert errors["geometry"] == [str(OUTSIDE_DEPOK)]
    assert Asset.objects.count() == 0


@pytest.mark.django_db
def test_allow_outside_registers_without_a_district():
    asset = asset_register(
        user=None,
        data={**DATA, "geometry": {"type": "Point", "coordinates": [106.8456, -6.2088]}},
        allow_outside=True,
    )
    assert (asset.kelurahan_id, asset.kecamatan_id) == (None, None)


@pytest.mark.django_db
def test_update_records_the_user_in_history(make_user):
    officer = make_user("asset_officer", username="rina")
    asset = asset_register(user=officer, data=DATA)
    asset_update(asset=asset, user=officer, data={"name": "Kantor Baru"})
    assert [(h.history_type, h.history_user.username, h.name) for h in asset.history.all()] == [
        ("~", "rina", "Kantor Baru"),
        ("+", "rina", "Kantor"),
    ]


@pytest.mark.django_db
def test_register_code_is_unique_in_the_database_with_one_index(make_asset):
    # given
    first, second = make_asset(), make_asset()
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Asset._meta.db_table)

    # then the code has its unique constraint and nothing else (no LIKE-pattern index on
    # PostgreSQL)
    on_code = [c for c in found.values() if c["columns"] == ["register_code"]]
    assert [c["unique"] for c in on_code] == [True]
    # and the database itself refuses a duplicate, whatever writes it
    with pytest.raises(IntegrityError), transaction.atomic():
        Asset.objects.filter(pk=second.pk).update(register_code=first.register_code)
