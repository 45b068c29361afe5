"""The UTM 48S copies of an asset's geometry that radius queries read (`utm_x`, `utm_y`,
`utm_geometry`): set on every write path, and by the migration that added them."""

import csv

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from assets_app.importing import assets_import_file
from assets_app.models import Asset
from assets_app.services import asset_register, asset_update

POINT = {"type": "Point", "coordinates": [106.81794, -6.37229]}
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [
            [106.817, -6.373],
            [106.818, -6.373],
            [106.818, -6.372],
            [106.817, -6.372],
            [106.817, -6.373],
        ]
    ],
}
DATA = {"name": "Kantor", "category": "building", "use": "office"}
# Computed here with pyproj itself, not with the helper the register uses.
TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32748", always_xy=True)


def utm(lon: float, lat: float) -> tuple[float, float]:
    x, y = TO_UTM.transform(lon, lat)
    return float(x), float(y)


def assert_utm_columns(asset: Asset) -> None:
    """The columns hold the stored point and shape in UTM 48S (no shape for a point)."""
    asset.refresh_from_db()
    assert (asset.utm_x, asset.utm_y) == pytest.approx(utm(asset.lon, asset.lat), abs=1e-6)
    geom = shape(asset.geometry)
    if geom.geom_type == "Point":
        assert asset.utm_geometry is None
        return
    projected = shapely.from_wkb(bytes(asset.utm_geometry))
    expected = shapely.transform(geom, lambda xy: np.array([utm(*p) for p in xy]))
    assert shapely.equals_exact(projected, expected, tolerance=1e-6)
    # the representative point lies on the shape in metres too
    assert shapely.intersects(projected, shapely.Point(asset.utm_x, asset.utm_y))


@pytest.mark.django_db
def test_register_and_update_keep_the_utm_columns_with_the_geometry():
    # given a point
    asset = asset_register(user=None, data={**DATA, "register_code": "U-1", "geometry": POINT})
    assert_utm_columns(asset)
    # metres in zone 48S (false northing 10,000 km south of the equator), not degrees
    assert 700_000 < asset.utm_x < 702_000
    assert 9_290_000 < asset.utm_y < 9_300_000

    # when it becomes a square, then a point elsewhere
    asset = asset_update(asset=asset, user=None, data={"geometry": SQUARE})
    assert_utm_columns(asset)
    assert asset.utm_geometry is not None
    asset = asset_update(
        asset=asset, user=None, data={"geometry": {"type": "Point", "coordinates": [106.8, -6.4]}}
    )

    # then the columns follow each time
    assert_utm_columns(asset)
    assert asset.utm_geometry is None
    # and the history, which records the geometry, does not copy them
    history_fields = {f.name for f in Asset.history.model._meta.fields}
    assert not history_fields & {"utm_x", "utm_y", "utm_geometry"}


@pytest.mark.django_db
def test_import_and_update_by_import_set_the_utm_columns(tmp_path):
    header = ["register_code", "name", "category", "use", "wkt"]
    square = shapely.to_wkt(shape(SQUARE))

    def write(rows):
        path = tmp_path / "assets.csv"
        with open(path, "w", newline="") as fh:
            csv.writer(fh).writerows([header, *rows])
        return path

    # when a point and a square are imported, then swapped by an update
    report = assets_import_file(
        path=write(
            [
                ["I-1", "A", "land", "vacant", "POINT (106.8 -6.4)"],
                ["I-2", "B", "land", "vacant", square],
            ]
        ),
        user=None,
    )
    assert report["created"] == 2
    first = {a.register_code: a for a in Asset.objects.all()}
    for asset in first.values():
        assert_utm_columns(asset)
    report = assets_import_file(
        path=write(
            [
                ["I-1", "A", "land", "vacant", square],
                ["I-2", "B", "land", "vacant", "POINT (106.8 -6.4)"],
            ]
        ),
        user=None,
        update=True,
    )

    # then
    assert report["updated"] == 2
    assets = {a.register_code: a for a in Asset.objects.all()}
    for asset in assets.values():
        assert_utm_columns(asset)
    assert assets["I-1"].utm_geometry is not None
    assert assets["I-2"].utm_geometry is None


MIGRATION = ("assets_app", "0006_asset_utm_point_and_geometry")
BEFORE = ("assets_app", "0005_map_index_covers_candidates")
BOUNDS = ("min_lon", "min_lat", "max_lon", "max_lat")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_derives_the_utm_columns_of_existing_assets():
    # given assets written before the columns existed
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps.get_model("assets_app", "Asset")
    for code, geometry, (lon, lat) in (
        ("M-1", POINT, POINT["coordinates"]),
        ("M-2", SQUARE, (106.8175, -6.3725)),
    ):
        old.objects.create(
            register_code=code,
            name=code,
            category="land",
            use="vacant",
            geometry=geometry,
            **dict(zip(BOUNDS, shape(geometry).bounds, strict=True)),
            lon=lon,
            lat=lat,
            kelurahan_id="32.76.06.1002",
            kecamatan_id="32.76.06",
        )

    # when migrating forward
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # As `migrate` ends: its post_migrate mends what SQLite's table rebuilds dropped (the
    # R*Tree's triggers, geodata.rtree), which the executor alone does not.
    emit_post_migrate_signal(0, False, connection.alias)

    # then
    assets = {a.register_code: a for a in Asset.objects.all()}
    assert_utm_columns(assets["M-1"])
    assert_utm_columns(assets["M-2"])
    assert assets["M-2"].utm_geometry is not None
