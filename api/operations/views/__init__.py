"""Views of the operations area by concern; each module's names are re-exported here."""

from api.operations.views.billing import (
    AccountView,
    BillViewSet,
    PaymentViewSet,
    TariffViewSet,
    TermsView,
)
from api.operations.views.cases import (
    InspectionViewSet,
    RenewalViewSet,
    TerminationViewSet,
    WaitlistOfferViewSet,
    WarningViewSet,
)
from api.operations.views.reports import ReportView

__all__ = [
    "AccountView",
    "BillViewSet",
    "InspectionViewSet",
    "PaymentViewSet",
    "RenewalViewSet",
    "ReportView",
    "TariffViewSet",
    "TermsView",
    "TerminationViewSet",
    "WaitlistOfferViewSet",
    "WarningViewSet",
]
