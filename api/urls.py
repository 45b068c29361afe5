"""Routes of API v1. Each area keeps its own `urls.py`; this file only assembles them."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api.audit import AuditEventViewSet
from api.auth import TokenRevokeView, TokenView
from api.districts import DistrictViewSet
from api.docs import DocsPermission
from api.reset_codes import VendorResetCodeView

router = DefaultRouter()
router.register("districts", DistrictViewSet, basename="district")
router.register("audit", AuditEventViewSet, basename="audit")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("auth/token/revoke/", TokenRevokeView.as_view(), name="auth-token-revoke"),
    re_path(
        r"^vendors/(?P<pk>[0-9]{1,18})/reset-code/$",
        VendorResetCodeView.as_view(),
        name="vendor-reset-code",
    ),
    # Signed-in staff only unless API_DOCS_PUBLIC (api/docs.py). Swagger UI's set-up script is
    # served by the view itself (`?script`): the Content-Security-Policy allows no inline script.
    path("schema/", SpectacularAPIView.as_view(permission_classes=[DocsPermission]), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=[DocsPermission]),
        name="docs",
    ),
    path("", include("api.assets.urls")),
    path("", include("api.repurposing.urls")),
    path("", include("api.outlets.urls")),
    path("", include("api.programme.urls")),
    path("", include("api.fairness.urls")),
    path("", include("api.operations.urls")),
    path("", include("api.documents.urls")),
    path("", include("api.facilities.urls")),
    path("", include(router.urls)),
]
