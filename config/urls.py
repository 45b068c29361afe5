"""Root URLs: the API under /api/v1/, the pages (`web.urls`), the admin, the health check, i18n."""

from django.contrib import admin
from django.urls import include, path

from api.health import healthz
from assets_app.admin_kib import kib_reports_view

urlpatterns = [
    path("api/v1/", include("api.urls")),
    # Ahead of the admin's own: web.urls wraps admin/login/ and admin/password_change/.
    path("", include("web.urls")),
    # The admin's "KIB and reports" page, a view of its own (no model behind it).
    path("admin/kib/", admin.site.admin_view(kib_reports_view), name="admin-kib"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
]

# JSON errors for /api/ paths Django answers itself (unrouted, too many fields, uncaught errors).
handler400 = "api.exceptions.bad_request"
handler403 = "api.exceptions.permission_denied"
handler404 = "api.exceptions.not_found"
handler500 = "api.exceptions.server_error"
