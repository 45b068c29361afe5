from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsAppConfig(AppConfig):
    name = "assets_app"
    verbose_name = _("Asset register")
