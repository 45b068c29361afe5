"""The representative point and the geometry in UTM 48S metres, derived from the geometry and
read by radius queries; the bbox index carries the point instead of its lon/lat."""

import numpy as np
import shapely
from django.db import migrations, models
from shapely.geometry import shape

from geodata.spatial import lonlat_to_utm_array


def derive(apps, schema_editor):
    """Set the new columns of every asset as assets_app.services.geometries_derive does: the
    stored representative point projected, and the WKB of the projected geometry (None for a
    point, whose projection is the point itself)."""
    Asset = apps.get_model("assets_app", "Asset")
    db = schema_editor.connection.alias
    ids = list(Asset.objects.using(db).order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), 2000):
        batch = list(Asset.objects.using(db).filter(id__in=ids[start : start + 2000]))
        points = lonlat_to_utm_array(np.array([[a.lon, a.lat] for a in batch], dtype=float))
        for asset, (x, y) in zip(batch, points.tolist(), strict=True):
            asset.utm_x, asset.utm_y = x, y
            geom = shape(asset.geometry)
            if geom.geom_type != "Point":
                asset.utm_geometry = shapely.to_wkb(shapely.transform(geom, lonlat_to_utm_array))
        Asset.objects.using(db).bulk_update(batch, ["utm_x", "utm_y", "utm_geometry"])


class Migration(migrations.Migration):
    dependencies = [
        ("assets_app", "0005_map_index_covers_candidates"),
    ]

    operations = [
        migrations.AddField(
            model_name="asset",
            name="utm_x",
            field=models.FloatField(editable=False, null=True, verbose_name="UTM 48S easting"),
        ),
        migrations.AddField(
            model_name="asset",
            name="utm_y",
            field=models.FloatField(editable=False, null=True, verbose_name="UTM 48S northing"),
        ),
        migrations.AddField(
            model_name="asset",
            name="utm_geometry",
            field=models.BinaryField(
                editable=False, null=True, verbose_name="geometry in UTM 48S (WKB)"
            ),
        ),
        migrations.RunPython(derive, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="asset",
            name="utm_x",
            field=models.FloatField(editable=False, verbose_name="UTM 48S easting"),
        ),
        migrations.AlterField(
            model_name="asset",
            name="utm_y",
            field=models.FloatField(editable=False, verbose_name="UTM 48S northing"),
        ),
        migrations.AlterField(
            model_name="asset",
            name="utm_geometry",
            field=models.BinaryField(editable=False, null=True, verbose_name="geometry in UTM 48S (WKB)"),
        ),
        migrations.RemoveIndex(
            model_name="asset",
            name="asset_bbox_idx",
        ),
        migrations.AddIndex(
            model_name="asset",
            index=models.Index(
                fields=["min_lon", "max_lon", "min_lat", "max_lat", "utm_x", "utm_y"],
                include=("id",),
                name="asset_bbox_idx",
            ),
        ),
    ]
