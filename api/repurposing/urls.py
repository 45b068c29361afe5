"""URL routes for repurposing: assessments, reclassifications and district statistics."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from api.repurposing.scenarios import RepurposingScenarioView
from api.repurposing.views import (
    AssessmentView,
    DistrictStatsView,
    ProposeView,
    ReclassificationViewSet,
)

router = SimpleRouter()
router.register("reclassifications", ReclassificationViewSet, basename="reclassification")

urlpatterns = [
    path("assets/<int:pk>/assessment/", AssessmentView.as_view(), name="asset-assessment"),
    path(
        "assets/<int:pk>/reclassifications/",
        ProposeView.as_view(),
        name="asset-reclassification-propose",
    ),
    path("stats/districts/", DistrictStatsView.as_view(), name="stats-districts"),
    path("scenarios/repurposing/", RepurposingScenarioView.as_view(), name="scenario-repurposing"),
    *router.urls,
]
