"""Routes of the outlets area: outlets and stalls, vendors, rounds, applications, offers, leases."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from api.outlets import views
from api.outlets.stats import ProgrammeStatsView

router = SimpleRouter()
router.register("outlets", views.OutletViewSet, basename="outlet")
router.register("vendors", views.VendorViewSet, basename="vendor")
router.register("rounds", views.RoundViewSet, basename="round")
router.register("applications", views.ApplicationViewSet, basename="application")
router.register("offers", views.OfferViewSet, basename="offer")
router.register("leases", views.LeaseViewSet, basename="lease")

urlpatterns = [
    path("outlets/<int:pk>/stalls/", views.OutletStallsView.as_view(), name="outlet-stalls"),
    path("vendors/register/", views.VendorRegisterView.as_view(), name="vendor-register"),
    path("vendors/me/", views.VendorMeView.as_view(), name="vendor-me"),
    path("stats/programme/", ProgrammeStatsView.as_view(), name="stats-programme"),
    path("", include(router.urls)),
]
