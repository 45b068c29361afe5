"""The operations app's choices: payment regimes, bill and payment kinds, warning reasons,
inspection findings and the statuses of renewal requests and waitlist offers."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentRegime(models.TextChoices):
    # Sewa (PP 27/2014): the whole term's rent is paid before the lease starts.
    SEWA = "sewa", _("Rent paid in full before the lease starts (sewa)")
    # Retribusi: a monthly levy, billed at the start of each month of the lease.
    RETRIBUSI = "retribusi", _("Monthly levy (retribusi)")


class PaymentSource(models.TextChoices):
    MANUAL = "manual", _("Recorded by a manager")
    STATEMENT = "statement", _("Imported from a bank or virtual-account statement")


class WarningReason(models.TextChoices):
    ARREARS = "arrears", _("Arrears")
    NOT_TRADING = "not_trading", _("Not trading")
    SUBLET = "sublet", _("Sublet")
    OTHER = "other", _("Other breach")


class TerminationGround(models.TextChoices):
    AFTER_SP3 = "after_sp3", _("After the third warning letter (SP3)")
    SERIOUS_BREACH = "serious_breach", _("Serious breach, at once")


class Finding(models.TextChoices):
    TRADING = "trading", _("Trading")
    CLOSED = "closed", _("Closed")
    SUBLET = "sublet", _("Sublet")
    OTHER = "other", _("Other")


class RenewalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class WaitlistOfferStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    RELEASED = "released", _("Released: the applicant moved up to a better choice")


# How readers name a bill's state in the account (operations.ledger.BillState.status).
BILL_STATUS_LABELS = {
    "paid": _("Paid"),
    "partly_paid": _("Partly paid"),
    "unpaid": _("Unpaid"),
}
