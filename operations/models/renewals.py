"""A vendor's request to renew her lease, and the waitlist's offers of vacant stalls.

A waitlist offer past its `expires_at` is expired whether or not `run_daily` has written that
yet, as ordinary offers are (`outlets.managers`): readers derive it (`WaitlistOffer.objects
.with_state()`, `effective_status`), and the stall it held reads vacant (`stall_state`)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from operations.choices import RenewalStatus, WaitlistOfferStatus
from outlets.models._base import LEASE_MONTHS_MAX


class RenewalRequest(models.Model):
    lease = models.ForeignKey(
        "outlets.Lease", on_delete=models.PROTECT, related_name="renewal_requests"
    )
    months = models.PositiveSmallIntegerField(
        _("months"), validators=[MinValueValidator(1), MaxValueValidator(LEASE_MONTHS_MAX)]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RenewalStatus.choices, default=RenewalStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal_reason = models.TextField(_("refusal reason"), blank=True)
    new_lease = models.OneToOneField(
        "outlets.Lease",
        on_delete=models.PROTECT,
        related_name="renewal_request",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("renewal request")
        verbose_name_plural = _("renewal requests")
        constraints = [
            models.UniqueConstraint(
                fields=["lease"], condition=Q(status="pending"), name="renewal_one_pending"
            ),
            models.UniqueConstraint(
                fields=["lease"], condition=Q(status="approved"), name="renewal_one_approved"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RenewalStatus.values), name="renewal_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(months__gte=1, months__lte=LEASE_MONTHS_MAX),
                name="renewal_months_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""),
                name="renewal_refusal_has_reason",
            ),
        ]


def waitlist_offers_due(prefix: str = "", *, now: datetime | None = None) -> Q:
    """Open waitlist offers whose acceptance time is up at `now`: expired to readers."""
    now = now or timezone.now()
    return Q(**{f"{prefix}status": WaitlistOfferStatus.OPEN, f"{prefix}expires_at__lte": now})


class WaitlistOfferQuerySet(models.QuerySet):
    def due(self, now: datetime | None = None) -> WaitlistOfferQuerySet:
        """Open offers past their time: expired to readers, still to be written so."""
        return self.filter(waitlist_offers_due(now=now))

    def with_state(self, now: datetime | None = None) -> WaitlistOfferQuerySet:
        """Annotate `state`, the status readers see (`effective_status` reads it)."""
        return self.annotate(
            state=Case(
                When(waitlist_offers_due(now=now), then=Value(WaitlistOfferStatus.EXPIRED)),
                default=F("status"),
                output_field=models.CharField(),
            )
        )


class WaitlistOffer(models.Model):
    """A vacant stall offered to the first waitlisted applicant of its group (`waitlist`)."""

    application = models.ForeignKey(
        "outlets.Application", on_delete=models.PROTECT, related_name="waitlist_offers"
    )
    stall = models.ForeignKey("outlets.Stall", on_delete=models.PROTECT, related_name="+")
    choice_rank = models.PositiveSmallIntegerField(_("choice rank"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=WaitlistOfferStatus.choices,
        default=WaitlistOfferStatus.OPEN,
    )
    expires_at = models.DateTimeField(_("expires at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    lease = models.OneToOneField(
        "outlets.Lease",
        on_delete=models.PROTECT,
        related_name="waitlist_offer",
        null=True,
        blank=True,
    )
    # What the applicant held before and gave up for this one (an offer, or a lease ended).
    released_offer = models.ForeignKey(
        "outlets.Offer", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    released_lease = models.ForeignKey(
        "outlets.Lease", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    objects = WaitlistOfferQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("waitlist offer")
        verbose_name_plural = _("waitlist offers")
        constraints = [
            models.UniqueConstraint(
                fields=["stall"], condition=Q(status="open"), name="waitlist_one_open_per_stall"
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status="open"),
                name="waitlist_one_open_per_application",
            ),
            models.CheckConstraint(
                condition=Q(status__in=WaitlistOfferStatus.values), name="waitlist_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Waitlist offer {self.pk} ({self.status})"

    def is_due(self, now: datetime | None = None) -> bool:
        """Open, but past its time: expired, whether or not that is written yet."""
        now = now or timezone.now()
        return self.status == WaitlistOfferStatus.OPEN and self.expires_at <= now

    @property
    def effective_status(self) -> str:
        """The status a reader sees: `state` when read `with_state()`, else derived now."""
        state = getattr(self, "state", None)
        if state:
            return state
        return WaitlistOfferStatus.EXPIRED if self.is_due() else self.status

    @property
    def effective_decided_at(self) -> datetime | None:
        """When it was decided; an offer that lapsed was decided by its deadline."""
        if self.effective_status == WaitlistOfferStatus.EXPIRED and self.decided_at is None:
            return self.expires_at
        return self.decided_at
