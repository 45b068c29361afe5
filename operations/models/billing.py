"""Bills per lease and period, payments (each with a unique reference), their reversals and the
receipt (kwitansi) numbering."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from operations.choices import PaymentSource


class Bill(models.Model):
    """Rent for one period of a lease: `period_start` up to, not including, `period_end`."""

    lease = models.ForeignKey(
        "outlets.Lease", on_delete=models.PROTECT, related_name="bills", verbose_name=_("lease")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount (IDR)"), max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["lease_id", "period_start"]
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        constraints = [
            # Issuing twice makes no second bill: one per lease and period.
            models.UniqueConstraint(fields=["lease", "period_start"], name="bill_one_per_period"),
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")), name="bill_period_order"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="bill_amount_non_negative"),
        ]
        indexes = [models.Index(fields=["due_date"], name="bill_due_idx")]


class Payment(models.Model):
    """Money received for a lease; it pays the oldest open bills first, the rest is credit."""

    lease = models.ForeignKey(
        "outlets.Lease", on_delete=models.PROTECT, related_name="payments", verbose_name=_("lease")
    )
    reference = models.CharField(_("reference"), max_length=64, unique=True)
    amount = models.DecimalField(
        _("amount (IDR)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0.01)],
    )
    paid_on = models.DateField(_("paid on"))
    source = models.CharField(
        _("source"), max_length=16, choices=PaymentSource.choices, default=PaymentSource.MANUAL
    )
    receipt_number = models.CharField(_("receipt number"), max_length=32, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-paid_on", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(source__in=PaymentSource.values), name="payment_source_valid"
            ),
        ]


class Reversal(models.Model):
    """A payment taken back (a bounced transfer, a mistake), with the reason; it then counts
    for nothing."""

    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="reversal", verbose_name=_("payment")
    )
    reason = models.TextField(_("reason"))
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment reversal")
        verbose_name_plural = _("payment reversals")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="reversal_has_reason"),
        ]


class ReceiptCounter(models.Model):
    """The last kwitansi number given in a year (numbers run KW/2026/000001, ...)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("receipt counter")
        verbose_name_plural = _("receipt counters")
