"""URL routes of the programme: cohorts, targets, coaching, licences, the funnel, my record."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from api.outlets.views._common import ID_REGEX
from api.programme import views

router = SimpleRouter()
router.register("programme/cohorts", views.CohortListViewSet, basename="programme-cohort")
router.register("programme/targets", views.TargetViewSet, basename="programme-target")
router.register("programme/sessions", views.CoachingSessionViewSet, basename="programme-session")
router.register("programme/licences", views.LicenceViewSet, basename="programme-licence")
router.register(
    "programme/requirements", views.RequirementViewSet, basename="programme-requirement"
)

urlpatterns = [
    path("programme/funnel/", views.FunnelView.as_view(), name="programme-funnel"),
    path("programme/me/", views.ProgrammeMeView.as_view(), name="programme-me"),
    re_path(
        rf"^programme/vendors/(?P<pk>{ID_REGEX})/verify/$",
        views.ProgrammeVerifyView.as_view(),
        name="programme-verify",
    ),
    *router.urls,
]
