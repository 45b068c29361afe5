"""URL routes for the asset register: list, detail, history, import and export."""

from rest_framework.routers import SimpleRouter

from api.assets.views import AgencyViewSet, AssetViewSet

router = SimpleRouter()
router.register("assets", AssetViewSet, basename="asset")
router.register("agencies", AgencyViewSet, basename="agency")

urlpatterns = router.urls
