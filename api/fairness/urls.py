"""Routes of issue 19: public results and verification files, facts, objections, appeals."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from api.fairness import views

router = SimpleRouter()
router.register("objections", views.ObjectionViewSet, basename="objection")
router.register("appeals", views.AppealViewSet, basename="appeal")

urlpatterns = [
    path("public/rounds/", views.PublicRoundListView.as_view(), name="public-rounds"),
    path("public/rounds/<int:pk>/", views.PublicRoundView.as_view(), name="public-round"),
    path(
        "public/rounds/<int:pk>/verification.json",
        views.PublicVerificationView.as_view(),
        name="public-round-verification",
    ),
    path("applications/<int:pk>/facts/", views.FactsView.as_view(), name="application-facts"),
    path("", include(router.urls)),
]
