"""Numbers an import cannot store: non-finite values and whole numbers beyond their column are
row errors (CSV, GeoPackage) or a refused file (GeoJSON, whose parser reads 1e309 as infinity),
with nothing written. The files are built with the hostile-import suite's helpers.
"""

from __future__ import annotations

import pytest

from assets_app.importing import NOT_FINITE, NOT_GEOJSON
from assets_app.models import Asset
from core.models import AuditEvent
from core.roles import ASSET_OFFICER
from tests.assets_app.test_import_security import (
    assert_refused,
    feature_collection,
    geojson_bytes,
    good_gpkg,
    unreadable,
    upload,
)
from tests.conftest import BEJI_POINT

pytestmark = pytest.mark.django_db


def test_csv_non_finite_numbers_are_row_errors(client_as):
    rows = ["inf", "-inf", "NaN", "1e309", "-Infinity"]
    lines = ["register_code,name,category,use,land_area_m2,lon,lat"] + [
        f"NF-{i},Gedung,building,office,{value},{BEJI_POINT[0]},{BEJI_POINT[1]}"
        for i, value in enumerate(rows)
    ]
    response = upload(client_as(ASSET_OFFICER), "\n".join(lines).encode(), "assets.csv")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": i + 1, "field": "land_area_m2", "message": str(NOT_FINITE)}
        for i in range(len(rows))
    ]
    assert Asset.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_geopackage_infinite_numbers_are_row_errors(client_as, tmp_path):
    path = good_gpkg(tmp_path, land_area_m2=float("inf"), building_area_m2=float("-inf"))
    response = upload(client_as(ASSET_OFFICER), path.read_bytes(), "a.gpkg")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 1, "field": "building_area_m2", "message": str(NOT_FINITE)},
        {"row": 1, "field": "land_area_m2", "message": str(NOT_FINITE)},
    ]
    assert Asset.objects.count() == 0


def test_geojson_infinite_number_is_refused_as_a_file(client_as):
    text = geojson_bytes(feature_collection()).replace(
        b'"use": "office"', b'"use": "office", "land_area_m2": 1e309'
    )
    response = upload(client_as(ASSET_OFFICER), text, "a.geojson")
    assert_refused(response, unreadable(NOT_GEOJSON))


def test_csv_whole_numbers_beyond_the_column_are_row_errors(client_as):
    lines = [
        "register_code,name,category,use,floors,lon,lat",
        f"BIG-1,Gedung,building,office,99999999999999999999999,{BEJI_POINT[0]},{BEJI_POINT[1]}",
    ]
    response = upload(client_as(ASSET_OFFICER), "\n".join(lines).encode(), "assets.csv")
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(1, "floors")]
    assert Asset.objects.count() == 0
