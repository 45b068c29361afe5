"""A large import: every row and its history written, the tables' indexes intact afterwards (on
SQLite they are built after the insert when the import at least doubles a table), and the
vectorised column checks giving the field's own messages.
"""

import csv

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from assets_app.importing import REINDEX_MIN_ROWS, assets_import_file
from assets_app.models import Asset
from assets_app.services import asset_clean_value

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
