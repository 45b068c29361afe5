"""The server-rendered pages: session sign-in and password pages, the admin's sign-in and
password change wrappers, and the map.

`config/urls.py` includes these ahead of the admin's own URLs, so `admin/login/` and
`admin/password_change/` resolve here first.
"""

from django.contrib.auth import views as django_auth_views
from django.urls import include, path

from web.views import auth
from web.views.home import home
from web.views.map import map_page
from web.views.pages import asset_detail, outlet_detail
from web.views.public import public_round, public_rounds

# Django's django.contrib.auth.urls, each with the view of web/views/auth.py where it differs.
accounts = [
    path("login/", auth.sign_in, name="login"),
    path("logout/", django_auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth.password_change, name="password_change"),
    path(
        "password_change/done/",
        django_auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password_reset/", auth.password_reset, name="password_reset"),
    path("password_reset/done/", auth.password_reset_done, name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth.password_reset_confirm, name="password_reset_confirm"),
    path("reset/done/", auth.password_reset_complete, name="password_reset_complete"),
]

urlpatterns = [
    # The admin's sign-in throttled, its password form replacing the token.
    path("admin/login/", auth.admin_sign_in),
    path("admin/password_change/", auth.admin_password_change),
    path("accounts/", include(accounts)),
    path("map/", map_page, name="map"),
    path("aset/<int:pk>/", asset_detail, name="asset-page"),
    path("gerai/<int:pk>/", outlet_detail, name="outlet-page"),
    path("public/rounds/", public_rounds, name="public-rounds-page"),
    path("public/rounds/<int:pk>/", public_round, name="public-round-page"),
    path("", home, name="home"),
    path("vendor/", include("web.views.vendor.urls")),
]
