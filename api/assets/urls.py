"""URL routes for the asset register: list, detail, history, import and export."""

from rest_framework.routers import SimpleRouter

from api.assets.views import AssetViewSet

router = SimpleRouter()
router.register("assets", AssetViewSet, basename="asset")

urlpatterns = router.urls
