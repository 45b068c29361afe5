"""Root URLs: the API under /api/v1/, the admin, the health check, session sign-in, the map."""

from django.contrib import admin
from django.urls import include, path

from api.health import healthz
from config.map_views import map_page

urlpatterns = [
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", healthz, name="healthz"),
    path("map/", map_page, name="map"),
    path("i18n/", include("django.conf.urls.i18n")),
]

# JSON errors for /api/ paths Django answers itself (unrouted, too many fields, uncaught errors).
handler400 = "api.exceptions.bad_request"
handler403 = "api.exceptions.permission_denied"
handler404 = "api.exceptions.not_found"
handler500 = "api.exceptions.server_error"
