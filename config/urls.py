"""Root URLs: the API under /api/v1/, the admin, the health check, session sign-in, the map."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api.health import healthz
from config import auth_views as sign_in
from config.map_views import map_page

# Django's django.contrib.auth.urls, each with the view of config/auth_views.py where it differs.
accounts = [
    path("login/", sign_in.sign_in, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", sign_in.password_change, name="password_change"),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password_reset/", sign_in.password_reset, name="password_reset"),
    path("password_reset/done/", sign_in.password_reset_done, name="password_reset_done"),
    path("reset/<uidb64>/<token>/", sign_in.password_reset_confirm, name="password_reset_confirm"),
    path("reset/done/", sign_in.password_reset_complete, name="password_reset_complete"),
]

urlpatterns = [
    path("api/v1/", include("api.urls")),
    # Ahead of the admin's own: its sign-in throttled, its password form replacing the token.
    path("admin/login/", sign_in.admin_sign_in),
    path("admin/password_change/", sign_in.admin_password_change),
    path("admin/", admin.site.urls),
    path("accounts/", include(accounts)),
    path("healthz", healthz, name="healthz"),
    path("map/", map_page, name="map"),
    path("i18n/", include("django.conf.urls.i18n")),
]

# JSON errors for /api/ paths Django answers itself (unrouted, too many fields, uncaught errors).
handler400 = "api.exceptions.bad_request"
handler403 = "api.exceptions.permission_denied"
handler404 = "api.exceptions.not_found"
handler500 = "api.exceptions.server_error"
