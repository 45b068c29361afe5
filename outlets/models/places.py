"""Outlets and their stalls."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outlets.choices import (
    StallKind,
    StallStatus,
)
from outlets.managers import StallQuerySet
from outlets.models._base import (
    _in,
    validate_positive_area,
)


class Outlet(models.Model):
    """A gerai UMKM standing on a city asset designated for economic use."""

    asset = models.OneToOneField(
        "assets_app.Asset", on_delete=models.PROTECT, related_name="outlet", verbose_name=_("asset")
    )
    name = models.CharField(_("name"), max_length=200)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    # The manager who opened it; `managers` are those who may change it (she is one of them).
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("manager"),
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="managed_outlets",
        blank=True,
        verbose_name=_("managers"),
        help_text=_("Outlet managers who may edit the outlet, its stalls and its rounds."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["id"]
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")

    def __str__(self) -> str:
        return self.name


class Stall(models.Model):
    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, related_name="stalls", verbose_name=_("outlet")
    )
    code = models.CharField(_("code"), max_length=32)
    kind = models.CharField(_("kind"), max_length=16, choices=StallKind.choices)
    area_m2 = models.FloatField(_("area (m²)"), validators=[validate_positive_area])
    monthly_fee = models.DecimalField(
        _("monthly fee (IDR)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    has_power = models.BooleanField(_("has power"), default=False)
    has_water = models.BooleanField(_("has water"), default=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=StallStatus.choices,
        default=StallStatus.VACANT,
        db_index=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = StallQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["outlet_id", "code"]
        verbose_name = _("stall")
        verbose_name_plural = _("stalls")
        constraints = [
            models.UniqueConstraint(fields=["outlet", "code"], name="stall_code_unique_in_outlet"),
            models.CheckConstraint(condition=_in("kind", StallKind), name="stall_kind_valid"),
            models.CheckConstraint(condition=_in("status", StallStatus), name="stall_status_valid"),
            models.CheckConstraint(condition=Q(area_m2__gt=0), name="stall_area_positive"),
            models.CheckConstraint(condition=Q(monthly_fee__gte=0), name="stall_fee_non_negative"),
        ]
        indexes = [models.Index(fields=["outlet", "kind", "status"], name="stall_group_idx")]

    def __str__(self) -> str:
        return f"{self.outlet_id}/{self.code}"

    @property
    def effective_status(self) -> str:
        """The status readers see: `state` when read `with_state()` (a stall held by a lapsed
        offer is vacant), else the stored one."""
        return getattr(self, "state", None) or self.status
