"""Allocation rounds, vendors' applications with their ranked choices, and the record of a
round's allocation run."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outlets.choices import (
    ApplicationStatus,
    RoundStatus,
    StallKind,
)
from outlets.managers import ApplicationQuerySet, live_applications
from outlets.models._base import (
    LEASE_MONTHS_MAX,
    _in,
)
from outlets.models.places import Outlet
from outlets.models.vendors import Vendor


class AllocationRound(models.Model):
    name = models.CharField(_("name"), max_length=200)
    outlets = models.ManyToManyField(Outlet, related_name="rounds", verbose_name=_("outlets"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    acceptance_days = models.PositiveSmallIntegerField(
        _("acceptance days"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    lease_months = models.PositiveSmallIntegerField(
        _("lease months"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(LEASE_MONTHS_MAX)],
    )
    women_reserve_share = models.FloatField(
        _("women reserve share"),
        default=0.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    category_cap = models.PositiveSmallIntegerField(
        _("category cap"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    max_choices = models.PositiveSmallIntegerField(
        _("max choices"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    # While the city's date is before this day, a stall falling vacant goes to the round's
    # waitlist (`operations.waitlist`); null: no waitlist, vacancies wait for a follow-up round.
    waitlist_closes_on = models.DateField(_("waitlist closes on"), null=True, blank=True)
    # Issue 19: days after closing in which applicants may object to the facts the round will
    # use about them (0: no objection period), days after allocation in which they may appeal,
    # and whether a vendor who declined an offer in the last 12 months counts as a non-member.
    objection_days = models.PositiveSmallIntegerField(
        _("objection days"), default=0, validators=[MaxValueValidator(30)]
    )
    appeal_days = models.PositiveSmallIntegerField(
        _("appeal days"), default=14, validators=[MaxValueValidator(60)]
    )
    decline_penalty = models.BooleanField(_("decline penalty"), default=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RoundStatus.choices,
        default=RoundStatus.DRAFT,
        db_index=True,
    )
    # The seed is drawn when the round opens and kept secret until allocation; only its SHA-256
    # commitment is published before, so nobody (not even the city) can pick a seed afterwards.
    seed = models.CharField(max_length=64, blank=True, editable=False, verbose_name=_("seed"))
    seed_commitment = models.CharField(
        max_length=64, blank=True, editable=False, verbose_name=_("seed commitment (SHA-256)")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    opened_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("opened at")
    )
    closed_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("closed at")
    )
    allocated_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("allocated at")
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "seed"])

    class Meta:
        ordering = ["-id"]
        verbose_name = _("allocation round")
        verbose_name_plural = _("allocation rounds")
        constraints = [
            models.CheckConstraint(condition=_in("status", RoundStatus), name="round_status_valid"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="round_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(acceptance_days__gte=1, acceptance_days__lte=60),
                name="round_acceptance_days_range",
            ),
            models.CheckConstraint(
                condition=Q(lease_months__gte=1, lease_months__lte=LEASE_MONTHS_MAX),
                name="round_lease_months_range",
            ),
            models.CheckConstraint(
                condition=Q(women_reserve_share__gte=0, women_reserve_share__lte=1),
                name="round_women_reserve_share_range",
            ),
            models.CheckConstraint(
                condition=Q(category_cap__isnull=True) | Q(category_cap__gte=1),
                name="round_category_cap_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_choices__gte=1, max_choices__lte=10),
                name="round_max_choices_range",
            ),
            models.CheckConstraint(
                condition=Q(objection_days__lte=30, appeal_days__lte=60),
                name="round_i19_days_range",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(seed_commitment=""),
                name="round_opened_has_commitment",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def revealed_seed(self) -> str | None:
        """The seed, once the round is allocated; secret (None) before."""
        return self.seed if self.status == RoundStatus.ALLOCATED else None


class Application(models.Model):
    round = models.ForeignKey(
        AllocationRound,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("allocation round"),
    )
    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, related_name="applications", verbose_name=_("vendor")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
        db_index=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("withdrawn at")
    )
    # The vendor's claims as allocation counted them, stored at allocation: {"wub_participant":
    # {"claimed": bool, "verified": bool}, "women_programme": {...}, "domicile": {...}}
    claims = models.JSONField(null=True, blank=True, editable=False, verbose_name=_("claims"))

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "vendor"],
                condition=live_applications(),
                name="one_live_application_per_vendor_and_round",
            ),
            models.CheckConstraint(
                condition=_in("status", ApplicationStatus), name="application_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Application {self.pk} ({self.status})"


class ApplicationChoice(models.Model):
    """One ranked choice of an application: a group (outlet, stall kind)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="choices", verbose_name=_("application")
    )
    rank = models.PositiveSmallIntegerField(_("rank"), validators=[MinValueValidator(1)])
    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, related_name="+", verbose_name=_("outlet")
    )
    stall_kind = models.CharField(_("stall kind"), max_length=16, choices=StallKind.choices)
    # The engine's priority key at this group, stored at allocation:
    # {"programme": 0|1, "local": 0|1, "lottery": "<decimal>"} (lower is better).
    priority = models.JSONField(null=True, blank=True, editable=False, verbose_name=_("priority"))

    class Meta:
        ordering = ["application_id", "rank"]
        verbose_name = _("application choice")
        verbose_name_plural = _("application choices")
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="choice_rank_unique"),
            models.UniqueConstraint(
                fields=["application", "outlet", "stall_kind"], name="choice_group_unique"
            ),
            models.CheckConstraint(condition=Q(rank__gte=1), name="choice_rank_positive"),
            models.CheckConstraint(
                condition=_in("stall_kind", StallKind), name="choice_kind_valid"
            ),
        ]


class AllocationRun(models.Model):
    """The audit record of a round's allocation: enough to re-run it and check the result."""

    round = models.OneToOneField(
        AllocationRound,
        on_delete=models.PROTECT,
        related_name="run",
        verbose_name=_("allocation round"),
    )
    seed = models.CharField(max_length=64, verbose_name=_("seed"))
    input_sha256 = models.CharField(max_length=64, verbose_name=_("input SHA-256"))
    engine_version = models.CharField(max_length=64, verbose_name=_("engine version"))
    figures = models.JSONField(default=dict, verbose_name=_("figures"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("run by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-id"]
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
