"""URL routes for the asset register: list, detail, history, import and export; agencies,
KIB workbooks and reports."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from api.assets.kib import KIND_PATTERN, KibExportView, KibImportView
from api.assets.reports import NAME_PATTERN, ReportView
from api.assets.views import AgencyViewSet, AssetViewSet

router = SimpleRouter()
router.register("assets", AssetViewSet, basename="asset")
router.register("agencies", AgencyViewSet, basename="agency")

urlpatterns = [
    re_path(rf"^kib/{KIND_PATTERN}/$", KibExportView.as_view(), name="kib-export"),
    re_path(rf"^kib/{KIND_PATTERN}/import/$", KibImportView.as_view(), name="kib-import"),
    re_path(rf"^reports/{NAME_PATTERN}/$", ReportView.as_view(), name="report"),
    *router.urls,
]
