"""Warning letters (SP1 to SP3), terminations for cause and inspections of stalls."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from operations.choices import Finding, TerminationGround, WarningReason


class WarningLetter(models.Model):
    """Surat peringatan `level` (1 to 3) to a lease's vendor: its reason and deadline."""

    lease = models.ForeignKey(
        "outlets.Lease", on_delete=models.PROTECT, related_name="warnings", verbose_name=_("lease")
    )
    level = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    reason = models.CharField(_("reason"), max_length=16, choices=WarningReason.choices)
    detail = models.TextField(_("detail"), blank=True)
    issued_on = models.DateField(_("issued on"))
    deadline = models.DateField(_("deadline"))
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["lease_id", "level"]
        verbose_name = _("warning letter")
        verbose_name_plural = _("warning letters")
        constraints = [
            models.UniqueConstraint(fields=["lease", "level"], name="warning_one_per_level"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=3), name="warning_level"),
            models.CheckConstraint(
                condition=Q(reason__in=WarningReason.values), name="warning_reason_valid"
            ),
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("issued_on")), name="warning_deadline_after"
            ),
        ]


class Termination(models.Model):
    """Why and on what ground a lease was ended early (the lease keeps the reason too)."""

    lease = models.OneToOneField(
        "outlets.Lease", on_delete=models.PROTECT, related_name="termination"
    )
    ground = models.CharField(_("ground"), max_length=16, choices=TerminationGround.choices)
    reason = models.TextField(_("reason"))
    terminated_on = models.DateField(_("terminated on"))
    terminated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("termination")
        verbose_name_plural = _("terminations")
        constraints = [
            models.CheckConstraint(
                condition=Q(ground__in=TerminationGround.values), name="termination_ground_valid"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="termination_has_reason"),
        ]


class Inspection(models.Model):
    """A manager's visit to a stall and what she found."""

    stall = models.ForeignKey("outlets.Stall", on_delete=models.PROTECT, related_name="inspections")
    lease = models.ForeignKey(
        "outlets.Lease",
        on_delete=models.PROTECT,
        related_name="inspections",
        null=True,
        blank=True,
    )
    visited_on = models.DateField(_("visited on"))
    finding = models.CharField(_("finding"), max_length=16, choices=Finding.choices)
    note = models.TextField(_("note"), blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            models.CheckConstraint(
                condition=Q(finding__in=Finding.values), name="inspection_finding_valid"
            ),
        ]


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="inspections/%Y/%m/")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")
