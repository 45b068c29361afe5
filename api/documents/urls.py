"""URL routes for documents attached to assets, reclassifications and leases."""

from rest_framework.routers import SimpleRouter

from api.documents.views import DocumentViewSet

router = SimpleRouter()
router.register("documents", DocumentViewSet, basename="document")

urlpatterns = router.urls
