"""Routes of the operations area: terms, tariffs, bills, payments, accounts, warnings,
terminations, inspections, renewals, waitlist offers and reports."""

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from api.operations import views

router = SimpleRouter()
router.register("tariffs", views.TariffViewSet, basename="tariff")
router.register("bills", views.BillViewSet, basename="bill")
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("warnings", views.WarningViewSet, basename="warning")
router.register("terminations", views.TerminationViewSet, basename="termination")
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("renewals", views.RenewalViewSet, basename="renewal")
router.register("waitlist-offers", views.WaitlistOfferViewSet, basename="waitlist-offer")

urlpatterns = [
    path("outlets/<int:outlet_id>/terms/", views.TermsView.as_view(), name="outlet-terms"),
    path("accounts/<int:lease_id>/", views.AccountView.as_view(), name="lease-account"),
    re_path(
        # Apart from the register's reports/{name}/ (KIB, utilisation): one path, one operation.
        r"^operations/reports/(?P<name>revenue|arrears|occupancy|leases-ending|closed-stalls)/$",
        views.ReportView.as_view(),
        name="operations-report",
    ),
    path("", include(router.urls)),
]
