"""A large import: every row and its history written, the tables' indexes intact afterwards (on
SQLite they are built after the insert when the import at least doubles a table), rows written
over several statements keeping their values, history rows equal to the assets they record, and
the vectorised column and geometry checks giving the field's own messages.
"""

import csv
import json
import math

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

import geopandas
from shapely.geometry import Point

from assets_app.importing import REINDEX_MIN_ROWS, assets_import_file, id_runs
from assets_app.models import Asset
from assets_app.services import (
    FIELD_REQUIRED,
    GEOMETRY_TYPE_NOT_ALLOWED,
    REGISTER_CODE_TAKEN,
    asset_clean_value,
)
from core import bulk
from geodata.spatial import ALLOWED_TYPES

pytestmark = pytest.mark.django_db

HEADER = ["register_code", "name", "category", "use", "facility_type", "land_area_m2", "lon", "lat"]


def write_csv(path, rows):
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def rows(n, prefix="BULK"):
    return [
        [
            f"{prefix}-{i:05d}",
            f"Aset {i}",
            "land",
            "education" if i % 2 else "vacant",
            "sd" if i % 2 else "",
            str(100 + i % 7),
            106.80 + (i % 100) * 0.0002,
            -6.38 + (i // 100) * 0.0002,
        ]
        for i in range(n)
    ]


def indexes(table: str) -> dict:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {name: (tuple(c["columns"]), c["unique"]) for name, c in found.items() if c["index"]}


def test_a_large_import_writes_every_row_and_keeps_the_indexes(tmp_path, make_user):
    # given
    officer = make_user("asset_officer")
    tables = [Asset._meta.db_table, Asset.history.model._meta.db_table]
    before = {table: indexes(table) for table in tables}
    path = write_csv(tmp_path / "big.csv", rows(REINDEX_MIN_ROWS))

    # when
    report = assets_import_file(path=path, user=officer)

    # then
    assert report["errors"] == []
    assert report["created"] == REINDEX_MIN_ROWS
    assert Asset.objects.count() == REINDEX_MIN_ROWS
    history = Asset.history.all()
    assert history.count() == REINDEX_MIN_ROWS
    assert set(history.values_list("history_type", flat=True)) == {"+"}
    assert set(history.values_list("history_user_id", flat=True)) == {officer.pk}
    assert set(history.values_list("id", flat=True)) == set(
        Asset.objects.values_list("id", flat=True)
    )
    assert {table: indexes(table) for table in tables} == before
    first = Asset.objects.get(register_code="BULK-00001")
    assert (first.use, first.facility_type, first.land_area_m2) == ("education", "sd", 101.0)
    assert first.history.get().register_code == "BULK-00001"


def test_a_second_large_import_beside_the_first(tmp_path):
    # given: the table holds rows already; the second import does not double it
    assets_import_file(path=write_csv(tmp_path / "a.csv", rows(REINDEX_MIN_ROWS)), user=None)
    before = indexes(Asset._meta.db_table)

    # when
    report = assets_import_file(path=write_csv(tmp_path / "b.csv", rows(10, "MORE")), user=None)

    # then
    assert report["created"] == 10
    assert Asset.objects.count() == REINDEX_MIN_ROWS + 10
    assert Asset.history.count() == REINDEX_MIN_ROWS + 10
    assert indexes(Asset._meta.db_table) == before


def field_message(name, value) -> str:
    with pytest.raises(ValidationError) as caught:
        asset_clean_value(name, value)
    return " ".join(caught.value.messages)


def test_text_columns_are_stripped_and_too_long_values_get_the_field_message(tmp_path):
    # given
    long_code = "X" * 65
    data = [
        ["  SPACED  ", "  Nama  ", "land", "vacant", "", "", 106.81, -6.37],
        [long_code, "N" * 201, "land", "vacant", "", "", 106.81, -6.37],
    ]

    # when
    report = assets_import_file(path=write_csv(tmp_path / "t.csv", data), user=None)

    # then
    assert report["errors"] == [
        {"row": 2, "field": "name", "message": field_message("name", "N" * 201)},
        {"row": 2, "field": "register_code", "message": field_message("register_code", long_code)},
    ]
    assert Asset.objects.count() == 0
    report = assets_import_file(path=write_csv(tmp_path / "ok.csv", data[:1]), user=None)
    assert report["created"] == 1
    assert Asset.objects.get().register_code == "SPACED"
    assert Asset.objects.get().name == "Nama"


def test_typed_numbers_from_a_geopackage_are_checked_against_the_field_bounds(tmp_path):
    # given: numbers that arrive typed (floats and integers), some outside the fields' bounds
    frame = geopandas.GeoDataFrame(
        {
            "register_code": ["N-1", "N-2", "N-3"],
            "name": ["One", "Two", "Three"],
            "category": ["land"] * 3,
            "use": ["vacant"] * 3,
            "land_area_m2": [-1.5, 0.0, 12.5],
            "acquisition_year": [1700, 2001, 2100],
            "floors": [1, 2, 3],
        },
        geometry=[Point(106.81, -6.37)] * 3,
        crs="EPSG:4326",
    )
    path = tmp_path / "n.gpkg"
    frame.to_file(path, driver="GPKG", engine="pyogrio")

    # when
    report = assets_import_file(path=path, user=None)

    # then
    assert report["errors"] == [
        {"row": 1, "field": "acquisition_year", "message": field_message("acquisition_year", 1700)},
        {"row": 1, "field": "land_area_m2", "message": field_message("land_area_m2", -1.5)},
    ]
    assert Asset.objects.count() == 0
    frame.iloc[1:].to_file(tmp_path / "ok.gpkg", driver="GPKG", engine="pyogrio")
    report = assets_import_file(path=tmp_path / "ok.gpkg", user=None)
    assert report["created"] == 2
    stored = Asset.objects.order_by("register_code").values_list(
        "land_area_m2", "acquisition_year", "floors"
    )
    assert list(stored) == [(0.0, 2001, 2), (12.5, 2100, 3)]


def test_geometries_of_a_wrong_type_or_missing_are_named(tmp_path):
    # given
    def feature(code, geometry):
        properties = {"register_code": code, "name": code, "category": "land", "use": "vacant"}
        return {"type": "Feature", "properties": properties, "geometry": geometry}

    square = [[[106.81, -6.37], [106.811, -6.37], [106.811, -6.371], [106.81, -6.37]]]
    features = [
        feature("G-1", {"type": "Polygon", "coordinates": square}),
        feature("G-2", {"type": "LineString", "coordinates": [[106.81, -6.37], [106.82, -6.38]]}),
        feature("G-3", None),
    ]
    path = tmp_path / "g.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))

    # when
    report = assets_import_file(path=path, user=None)

    # then
    assert report["errors"] == [
        {
            "row": 2,
            "field": "geometry",
            "message": str(GEOMETRY_TYPE_NOT_ALLOWED).format(
                geom_type="LineString", allowed=", ".join(ALLOWED_TYPES)
            ),
        },
        {"row": 3, "field": "geometry", "message": str(FIELD_REQUIRED)},
    ]
    assert Asset.objects.count() == 0


def test_rows_written_over_several_statements_keep_their_values_and_history(
    tmp_path, make_user, monkeypatch
):
    # given: few rows per INSERT, so that the rows span a short first statement and full ones
    monkeypatch.setattr(bulk, "ROWS_PER_INSERT", 3)
    officer = make_user("asset_officer")
    data = rows(10)
    data[4][5] = ""  # one missing land area among numbers
    path = write_csv(tmp_path / "s.csv", data)

    # when
    report = assets_import_file(path=path, user=officer)

    # then
    assert (report["created"], report["errors"]) == (10, [])
    assets = {a.register_code: a for a in Asset.objects.all()}
    assert [assets[f"BULK-{i:05d}"].land_area_m2 for i in range(10)] == [
        None if i == 4 else 100.0 + i % 7 for i in range(10)
    ]
    assert assets["BULK-00009"].facility_type == "sd"
    assert assets["BULK-00009"].geometry == {"type": "Point", "coordinates": [106.8018, -6.38]}
    # each history row is the asset as written, with who and when
    copied = [f.attname for f in Asset.history.model._meta.concrete_fields if f.attname in SAME]
    for record in Asset.history.all():
        asset = assets[record.register_code]
        assert [getattr(record, f) for f in copied] == [getattr(asset, f) for f in copied]
        assert (record.history_type, record.history_user_id) == ("+", officer.pk)
        assert record.history_date == asset.created_at
    assert len(copied) == len(SAME)


# The fields an asset and its history row share.
SAME = {
    f.attname
    for f in Asset._meta.concrete_fields
    if f.attname
    not in {"repurposable", "assessed_at", "updated_at", "utm_x", "utm_y", "utm_geometry"}
}


@pytest.mark.parametrize(
    ("ids", "size", "expected"),
    [
        ([], 3, []),
        ([5], 3, [(5, 5)]),
        ([1, 2, 3, 4, 5, 6, 7], 3, [(1, 3), (4, 6), (7, 7)]),
        ([1, 2, 4, 5, 9], 10, [(1, 2), (4, 5), (9, 9)]),
    ],
)
def test_id_runs(ids, size, expected):
    assert id_runs(ids, size) == expected


def test_codes_already_taken_are_found_whatever_their_characters(tmp_path, make_asset):
    # given: codes with quotes, backslashes, commas and non-ASCII letters, one of them taken
    taken = 'RT-"ü\\1, ok'
    make_asset(register_code=taken)
    data = [
        [taken, "Same", "land", "vacant", "", "", 106.81, -6.37],
        ["RT-'é'", "Other", "land", "vacant", "", "", 106.81, -6.37],
    ]

    # when
    report = assets_import_file(path=write_csv(tmp_path / "q.csv", data), user=None)

    # then
    assert report["errors"] == [
        {"row": 1, "field": "register_code", "message": str(REGISTER_CODE_TAKEN)}
    ]
    report = assets_import_file(path=write_csv(tmp_path / "u.csv", data), user=None, update=True)
    assert (report["created"], report["updated"], report["errors"]) == (1, 1, [])
    assert Asset.objects.get(register_code=taken).name == "Same"


def test_a_geometry_over_the_vertex_limit_is_a_row_error(tmp_path):
    # given: a valid polygon with one vertex more than the limit, beside a small one
    from geodata.spatial import MAX_VERTICES, TOO_MANY_VERTICES

    n = MAX_VERTICES  # the ring closes on its first point: MAX_VERTICES + 1 positions
    ring = [
        [
            106.81 + 0.001 * math.cos(2 * math.pi * i / n),
            -6.37 + 0.001 * math.sin(2 * math.pi * i / n),
        ]
        for i in range(n)
    ]
    ring.append(ring[0])
    small = [[[106.81, -6.37], [106.811, -6.37], [106.811, -6.371], [106.81, -6.37]]]

    def feature(code, coordinates):
        properties = {"register_code": code, "name": code, "category": "land", "use": "vacant"}
        geometry = {"type": "Polygon", "coordinates": coordinates}
        return {"type": "Feature", "properties": properties, "geometry": geometry}

    path = tmp_path / "big.geojson"
    features = [feature("V-1", small), feature("V-2", [ring])]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))

    # when
    report = assets_import_file(path=path, user=None)

    # then: the large one is named, and nothing is written
    message = str(TOO_MANY_VERTICES % {"count": n + 1, "limit": MAX_VERTICES})
    assert report["errors"] == [{"row": 2, "field": "geometry", "message": message}]
    assert Asset.objects.count() == 0


def test_new_rows_carry_the_flags_a_fresh_assessment_gives(tmp_path, make_asset):
    """A file of new assets is assessed before it is written (the flag goes in with the row):
    every stored flag equals what re-assessing the whole register gives afterwards, with the
    stored schools and the file's own serving each other, and some schools left alone."""
    from assets_app.repurposing import assets_assess

    stored = make_asset(use="health", facility_type="puskesmas", lon=106.7700, lat=-6.3900)
    # Puskesmas (one per 120,000 residents): a kecamatan keeps enough of them, so coverage
    # decides, and the file's own puskesmas are what cover each other.
    data = [[*row[:3], "health", "puskesmas", *row[5:]] if row[4] else row for row in rows(240)]
    # Lone ones: one beside the stored puskesmas (covered by it), others with no other within
    # reach (their catchment is lost), and idle ones (assessed, but serving nobody).
    lone = [(106.7705, -6.3900, "in_service"), (106.84, -6.37, "in_service")]
    lone += [(106.86, -6.42, "idle"), (106.78, -6.36, "underused")]
    header = [*HEADER, "status"]
    path = tmp_path / "new.csv"
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows([*row, "in_service"] for row in data)
        for i, (lon, lat, status) in enumerate(lone):
            writer.writerow(
                [
                    f"LONE-{i}",
                    f"Puskesmas {i}",
                    "land",
                    "health",
                    "puskesmas",
                    "500",
                    lon,
                    lat,
                    status,
                ]
            )
    report = assets_import_file(path=path, user=None)
    assert report["errors"] == []
    assert report["created"] == 244

    written = dict(Asset.objects.values_list("register_code", "repurposable"))
    assert None not in written.values()
    assert Asset.objects.filter(assessed_at__isnull=True).count() == 0
    assets_assess()
    again = dict(Asset.objects.values_list("register_code", "repurposable"))
    assert written == again
    assert {True, False} <= set(written.values())
    # The file's puskesmas cover each other; one far from any other leaves its catchment without.
    assert written["BULK-00001"] is True
    assert written["LONE-1"] is False
    assert stored.pk in set(Asset.objects.values_list("pk", flat=True))
