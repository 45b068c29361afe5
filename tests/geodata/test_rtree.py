"""SQLite's R*Tree over the asset bbox (geodata.rtree): made by migrate, kept by triggers
through every write, mended when a table rebuild dropped its triggers; none on PostgreSQL."""

import pytest
from django.core.management import call_command
from django.db import connection

from assets_app.models import Asset
from assets_app.services import asset_update
from geodata.rtree import ORIGIN, UNBOUNDED, ensure_bbox_rtree, rtree_name, rtree_table

pytestmark = pytest.mark.django_db
TABLE = Asset._meta.db_table
RTREE = rtree_name(TABLE)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's R*Tree")


def rtree_rows() -> dict[int, tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, min_lon, max_lon, min_lat, max_lat FROM {RTREE}")
        return {row[0]: row[1:] for row in cursor.fetchall()}


def assert_rtree_holds_every_asset() -> None:
    boxes = rtree_rows()
    assets = Asset.objects.values_list("pk", "min_lon", "max_lon", "min_lat", "max_lat")
    assert set(boxes) == {row[0] for row in assets}
    for pk, min_lon, max_lon, min_lat, max_lat in assets:
        r_min_lon, r_max_lon, r_min_lat, r_max_lat = boxes[pk]
        # float32 boxes, rounded outwards: never smaller than the bbox, a few float32 steps larger
        assert r_min_lon <= min_lon <= r_min_lon + 5e-5
        assert r_min_lat <= min_lat <= r_min_lat + 5e-5
        assert r_max_lon - 5e-5 <= max_lon <= r_max_lon
        assert r_max_lat - 5e-5 <= max_lat <= r_max_lat


@sqlite_only
def test_the_rtree_follows_registration_a_move_and_deletion(make_asset):
    # given: a migrated database
    assert rtree_table("default", TABLE) == RTREE

    # when: assets are registered, one is moved far, one deleted
    assets = [make_asset(lon=106.80 + i * 0.002, lat=-6.39) for i in range(4)]
    moved, deleted = assets[0], assets[1]
    asset_update(
        asset=moved,
        data={"geometry": {"type": "Point", "coordinates": [106.7801, -6.4302]}},
        user=None,
    )
    Asset.objects.filter(pk=deleted.pk).delete()

    # then: the R*Tree holds each remaining asset's bbox, the moved one where it went
    assert_rtree_holds_every_asset()
    assert deleted.pk not in rtree_rows()
    assert rtree_rows()[moved.pk][0] == pytest.approx(106.7801, abs=5e-5)


@sqlite_only
def test_migrate_mends_an_rtree_whose_trigger_a_table_rebuild_dropped(make_asset):
    # given: a rebuild of the table (as SQLite alters one) lost the update trigger, and a
    # change went unseen
    asset = make_asset(lon=106.80, lat=-6.39)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TRIGGER "{RTREE}_update"')
        cursor.execute(
            f"UPDATE {TABLE} SET min_lon = 106.7, max_lon = 106.7 WHERE id = %s", [asset.pk]
        )
    assert rtree_rows()[asset.pk][0] == pytest.approx(106.80, abs=5e-5)

    # when
    call_command("migrate", verbosity=0)

    # then: the trigger is back and the R*Tree was filled again from the table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
        )
        triggers = {row[0] for row in cursor.fetchall()}
    assert {f"{RTREE}_insert", f"{RTREE}_update", f"{RTREE}_delete"} <= triggers
    assert rtree_rows()[asset.pk][0] == pytest.approx(106.7, abs=5e-5)
    assert_rtree_holds_every_asset()


@pytest.mark.skipif(connection.vendor == "sqlite", reason="PostgreSQL keeps no R*Tree")
def test_postgresql_keeps_none():
    assert rtree_table("default", TABLE) is None
    assert ensure_bbox_rtree("default", TABLE) is False


@sqlite_only
def test_migrate_remakes_an_rtree_without_the_diagonals(make_asset):
    # given: an R*Tree as an older release made it (the bbox alone), its triggers in place
    point = make_asset(lon=106.80, lat=-6.39)
    ring = [[106.81, -6.40], [106.8104, -6.40], [106.8104, -6.3996], [106.81, -6.3996]]
    shape = make_asset(geometry={"type": "Polygon", "coordinates": [[*ring, ring[0]]]})
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{RTREE}"')
        cursor.execute(
            f'CREATE VIRTUAL TABLE "{RTREE}" USING rtree(id, min_lon, max_lon, min_lat, max_lat)'
        )

    # when
    call_command("migrate", verbosity=0)

    # then: the R*Tree has the diagonals, a point's its metres along them (float32, rounded
    # outwards) and a shape's every value
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, min_u, max_u, min_v, max_v FROM {RTREE}")
        diagonals = {row[0]: row[1:] for row in cursor.fetchall()}
    point.refresh_from_db()
    x, y = point.utm_x - ORIGIN[0], point.utm_y - ORIGIN[1]
    min_u, max_u, min_v, max_v = diagonals[point.pk]
    assert min_u <= x + y <= max_u
    assert min_v <= x - y <= max_v
    assert max_u - min_u < 0.01
    assert max_v - min_v < 0.01
    assert diagonals[shape.pk] == (-UNBOUNDED, UNBOUNDED, -UNBOUNDED, UNBOUNDED)
    assert_rtree_holds_every_asset()
