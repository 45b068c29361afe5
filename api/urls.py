"""Routes of API v1. Each area keeps its own `urls.py`; this file only assembles them."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api.audit import AuditEventViewSet
from api.auth import TokenView
from api.districts import DistrictViewSet

router = DefaultRouter()
router.register("districts", DistrictViewSet, basename="district")
router.register("audit", AuditEventViewSet, basename="audit")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("", include("api.assets.urls")),
    path("", include("api.repurposing.urls")),
    path("", include("api.outlets.urls")),
    path("", include(router.urls)),
]
