"""Objections (before the draw) and appeals (after it), each decided by a manager with a
reason, and the round's published verification file."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outlets.choices import Claim
from outlets.models._base import _in


class Decision(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class _Decided(models.Model):
    # The vendor's statement may quote her documents: the audit trail records only that it
    # changed. The decision and its reason are not personal: they show in the trail.
    personal_fields = frozenset({"statement"})

    statement = models.TextField(_("statement"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=16, choices=Decision.choices, default=Decision.OPEN, db_index=True
    )
    decision_reason = models.TextField(_("decision reason"), blank=True, max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True


class Objection(_Decided):
    """An applicant's objection to a fact the round will use about her (a claim as verified)."""

    application = models.ForeignKey(
        "outlets.Application",
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name=_("application"),
    )
    fact = models.CharField(_("fact"), max_length=16, choices=Claim.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        constraints = [
            models.CheckConstraint(condition=_in("status", Decision), name="objection_status"),
            models.CheckConstraint(condition=_in("fact", Claim), name="objection_fact_valid"),
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(decision_reason=""),
                name="objection_decision_has_reason",
            ),
            models.UniqueConstraint(
                fields=["application", "fact"],
                condition=Q(status="open"),
                name="one_open_objection_per_fact",
            ),
        ]

    def __str__(self) -> str:
        return f"Objection {self.pk} ({self.status})"


class Appeal(_Decided):
    """An applicant's appeal against the round's result for her application (one each)."""

    application = models.OneToOneField(
        "outlets.Application",
        on_delete=models.PROTECT,
        related_name="appeal",
        verbose_name=_("application"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.CheckConstraint(condition=_in("status", Decision), name="appeal_status"),
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(decision_reason=""),
                name="appeal_decision_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Appeal {self.pk} ({self.status})"


class RoundPublication(models.Model):
    """The round's verification file as published at allocation: its canonical input and result
    with no personal data (`fairness.publication`), and their SHA-256."""

    round = models.OneToOneField(
        "outlets.AllocationRound",
        on_delete=models.PROTECT,
        related_name="publication",
        verbose_name=_("allocation round"),
    )
    document = models.TextField(_("document"))
    input_sha256 = models.CharField(_("input SHA-256"), max_length=64)
    result_sha256 = models.CharField(_("result SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("round publication")
        verbose_name_plural = _("round publications")

    def __str__(self) -> str:
        return f"Publication of round {self.round_id}"
