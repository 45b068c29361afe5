"""The operations app's models by concern: pricing (terms, tariffs, lease pricing), billing
(bills, payments, reversals, receipt numbers), enforcement (warnings, terminations, inspections)
and renewals (renewal requests, waitlist offers)."""

from operations.choices import (
    Finding,
    PaymentRegime,
    PaymentSource,
    RenewalStatus,
    TerminationGround,
    WaitlistOfferStatus,
    WarningReason,
)
from operations.models.billing import Bill, Payment, ReceiptCounter, Reversal
from operations.models.enforcement import Inspection, InspectionPhoto, Termination, WarningLetter
from operations.models.pricing import UMK_CAP_SHARE, LeasePricing, OutletTerms, Tariff
from operations.models.renewals import RenewalRequest, WaitlistOffer

__all__ = [
    "UMK_CAP_SHARE",
    "Bill",
    "Finding",
    "Inspection",
    "InspectionPhoto",
    "LeasePricing",
    "OutletTerms",
    "Payment",
    "PaymentRegime",
    "PaymentSource",
    "ReceiptCounter",
    "RenewalRequest",
    "RenewalStatus",
    "Reversal",
    "Tariff",
    "Termination",
    "TerminationGround",
    "WaitlistOffer",
    "WaitlistOfferStatus",
    "WarningLetter",
    "WarningReason",
]
