from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsAppConfig(AppConfig):
    name = "assets_app"
    verbose_name = _("Asset register")

    def ready(self):
        # Before any request or command can hand GDAL a file: only the drivers the register
        # reads, no network (assets_app.gdal_setup).
        from assets_app.gdal_setup import gdal_lock_down

        gdal_lock_down()
