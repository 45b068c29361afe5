"""Offers of a stall to an assigned application, and the leases they become."""

from datetime import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outlets.choices import (
    LeaseStatus,
    OfferStatus,
)
from outlets.managers import LeaseQuerySet, OfferQuerySet
from outlets.models._base import (
    _in,
)
from outlets.models.places import Stall
from outlets.models.rounds import Application
from outlets.models.vendors import Vendor


class Offer(models.Model):
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="offer", verbose_name=_("application")
    )
    stall = models.ForeignKey(
        Stall, on_delete=models.PROTECT, related_name="offers", verbose_name=_("stall")
    )
    choice_rank = models.PositiveSmallIntegerField(_("choice rank"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=OfferStatus.choices,
        default=OfferStatus.OPEN,
        db_index=True,
    )
    expires_at = models.DateTimeField(_("expires at"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = OfferQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.UniqueConstraint(
                fields=["stall"], condition=Q(status="open"), name="one_open_offer_per_stall"
            ),
            models.CheckConstraint(condition=_in("status", OfferStatus), name="offer_status_valid"),
            models.CheckConstraint(condition=Q(choice_rank__gte=1), name="offer_rank_positive"),
        ]

    def __str__(self) -> str:
        # The admin's titles and breadcrumbs, in the reader's language.
        status = OfferStatus(self.effective_status).label  # as readers see it
        return str(_("Offer {pk} ({status})")).format(pk=self.pk, status=status)

    def is_due(self, now: datetime | None = None) -> bool:
        """Open, but past its time: expired, whether or not that is written yet."""
        now = now or timezone.now()
        return self.status == OfferStatus.OPEN and self.expires_at <= now

    @property
    def effective_status(self) -> str:
        """The status a reader sees: `expired` once the time is up."""
        return OfferStatus.EXPIRED if self.is_due() else self.status

    @property
    def effective_decided_at(self) -> datetime | None:
        """When it was decided; an offer that lapsed was decided by its deadline."""
        return self.expires_at if self.is_due() else self.decided_at


class Lease(models.Model):
    # An accepted offer's lease has its offer; a renewal names the lease it renews; a lease from
    # a waitlist offer (`operations.WaitlistOffer`) is named by that offer.
    offer = models.OneToOneField(
        Offer,
        on_delete=models.PROTECT,
        related_name="lease",
        null=True,
        blank=True,
        verbose_name=_("offer"),
    )
    renewal_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="renewal",
        null=True,
        blank=True,
        verbose_name=_("renewal of"),
    )
    stall = models.ForeignKey(
        Stall, on_delete=models.PROTECT, related_name="leases", verbose_name=_("stall")
    )
    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, related_name="leases", verbose_name=_("vendor")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    monthly_fee = models.DecimalField(
        _("monthly fee (IDR)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=LeaseStatus.choices,
        default=LeaseStatus.ACTIVE,
        db_index=True,
    )
    termination_reason = models.TextField(_("termination reason"), blank=True)
    terminated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("terminated at"))
    terminated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("terminated by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = LeaseQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("lease")
        verbose_name_plural = _("leases")
        constraints = [
            models.UniqueConstraint(
                fields=["stall"], condition=Q(status="active"), name="one_active_lease_per_stall"
            ),
            models.UniqueConstraint(
                fields=["vendor"], condition=Q(status="active"), name="one_active_lease_per_vendor"
            ),
            models.UniqueConstraint(
                fields=["stall"], condition=Q(status="signed"), name="one_signed_lease_per_stall"
            ),
            models.CheckConstraint(condition=_in("status", LeaseStatus), name="lease_status_valid"),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="lease_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(monthly_fee__gte=0), name="lease_fee_non_negative"),
            models.CheckConstraint(
                condition=~Q(status="terminated") | ~Q(termination_reason=""),
                name="lease_termination_has_reason",
            ),
        ]

    def __str__(self) -> str:
        status = LeaseStatus(self.effective_status).label  # as readers see it (ended past its end)
        return str(_("Lease {pk} ({status})")).format(pk=self.pk, status=status)

    @property
    def effective_status(self) -> str:
        """The status readers see: `state` when read `with_state()`, else derived from the city's
        date (`outlets.managers.lease_status_on`)."""
        state = getattr(self, "state", None)
        if state:
            return state
        from outlets.managers import lease_status_on
        from outlets.nik import city_today

        return lease_status_on(self, city_today())
