from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssetsAppConfig(AppConfig):
    name = "assets_app"
    verbose_name = _("Asset register")

    def ready(self):
        # Before any request or command can hand GDAL a file: only the drivers the register
        # reads, no network (assets_app.gdal_setup).
        from assets_app.gdal_setup import gdal_lock_down

        gdal_lock_down()
        post_migrate.connect(_bbox_rtree, sender=self)


def _bbox_rtree(sender, using, **kwargs):
    # SQLite: the R*Tree of the asset bbox, made or mended after every migrate (geodata.rtree).
    from assets_app.models import Asset
    from geodata.rtree import ensure_bbox_rtree

    ensure_bbox_rtree(using, Asset._meta.db_table)
