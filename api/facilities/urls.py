"""URL routes for reference facilities."""

from rest_framework.routers import SimpleRouter

from api.facilities.views import ReferenceFacilityViewSet

router = SimpleRouter()
router.register("reference-facilities", ReferenceFacilityViewSet, basename="reference-facility")

urlpatterns = router.urls
