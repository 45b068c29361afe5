"""A stored notification per recipient and channel, and the default gateway's record of messages.

Every notification is kept whatever becomes of its delivery: the state, the attempts and the last
error say what happened. `key` makes a reminder idempotent: one row per (key, channel), so a job
run twice sends nothing twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS / WhatsApp")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not sent yet; will be retried")
    ABANDONED = "abandoned", _("Not sent; gave up after the last attempt")


class Template(models.TextChoices):
    OFFER_MADE = "offer_made", _("Offer of a stall")
    OFFER_EXPIRING = "offer_expiring", _("Offer expires in 24 hours")
    LEASE_STARTED = "lease_started", _("Lease starts")
    LEASE_ENDING = "lease_ending", _("Lease nears its end")


class Notification(models.Model):
    # The address (e-mail or phone number) and the text are personal data: no history, no audit.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    template = models.CharField(_("template"), max_length=32, choices=Template.choices)
    context = models.JSONField(_("context"), default=dict, blank=True)
    key = models.CharField(_("key"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    state = models.CharField(
        _("delivery state"),
        max_length=10,
        choices=DeliveryState.choices,
        default=DeliveryState.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "channel"], condition=~Q(key=""), name="one_notification_per_key"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="notification_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values), name="notification_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Notification {self.pk}: {self.template} by {self.channel} ({self.state})"


class GatewayMessage(models.Model):
    """What `gateways.RecordingGateway` was asked to send (nothing leaves the service)."""

    to = models.CharField(_("to"), max_length=32)
    body = models.TextField(_("body"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("recorded gateway message")
        verbose_name_plural = _("recorded gateway messages")

    def __str__(self) -> str:
        return f"Gateway message {self.pk}"
