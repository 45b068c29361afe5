"""Outlets, stalls, vendors, allocation rounds, applications, offers and leases.

The invariants that keep a stall from being leased twice live in the database: at most one open
offer and one active lease per stall, one active lease per vendor, one live application per
vendor and round, one allocation run per round. Services lock the contended rows and check
first so a client gets a clear 409; the constraints catch whatever races past them.

The vendor's NIK is never stored in plain text: only its Fernet ciphertext, its keyed hash and
its masked form exist here (see `outlets.nik`), and the history keeps neither the ciphertext.
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# The choices are re-exported: the app's code and its tests import them from here.
from outlets.choices import (  # noqa: F401
    ApplicationStatus,
    Claim,
    Gender,
    LeaseStatus,
    OfferStatus,
    ProductCategory,
    RoundStatus,
    StallKind,
    StallStatus,
)
from outlets.managers import ApplicationQuerySet, OfferQuerySet, StallQuerySet, live_applications

LEASE_MONTHS_MAX = 60  # PP 27/2014 art. 29: a lease of regional property runs at most five years
NIB_RE = r"^[0-9]{13}$"
NIB_MESSAGE = _("A NIB (Nomor Induk Berusaha) is exactly 13 digits.")
PHONE_RE = r"^(\+62|62|0)[0-9]{8,13}$"
PHONE_MESSAGE = _("Enter an Indonesian phone number such as 081234567890 or +6281234567890.")
AREA_NOT_POSITIVE = _("The area must be greater than 0 m².")


def validate_positive_area(value: float) -> None:
    if not value > 0:  # also refuses NaN
        raise ValidationError(AREA_NOT_POSITIVE, code="min_value")


def _in(field: str, choices: type[models.TextChoices]) -> Q:
    return Q(**{f"{field}__in": choices.values})


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


class Vendor(models.Model):
    """A programme entrepreneur's profile; one account per person (per NIK)."""

    # Personal data: the audit trail records only that these changed (`core.audit`). Together
    # the masked NIK, birth date, gender and domicile give away most of the NIK's digits.
    personal_fields = frozenset(
        {
            "full_name", "nik_masked", "gender", "birth_date", "phone", "home_kelurahan",
            "home_kelurahan_id",
        }
    )  # fmt: skip

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="vendor",
        verbose_name=_("user account"),
    )
    full_name = models.CharField(_("full name"), max_length=200)
    nik_encrypted = models.TextField(_("NIK (encrypted)"), editable=False)
    nik_hash = models.CharField(_("NIK lookup hash"), max_length=64, unique=True, editable=False)
    nik_masked = models.CharField(_("NIK (masked)"), max_length=16, editable=False)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False)
    phone = models.CharField(
        _("phone"), max_length=20, validators=[RegexValidator(PHONE_RE, PHONE_MESSAGE)]
    )
    business_name = models.CharField(_("business name"), max_length=200)
    product_category = models.CharField(
        _("product category"), max_length=16, choices=ProductCategory.choices
    )
    nib = models.CharField(
        _("NIB"), max_length=13, blank=True, validators=[RegexValidator(NIB_RE, NIB_MESSAGE)]
    )
    wub_participant = models.BooleanField(_("Wira Usaha Baru participant"), default=False)
    women_programme = models.BooleanField(_("women-entrepreneur programme"), default=False)
    home_kelurahan = models.ForeignKey(
        "geodata.District",
        to_field="code",
        db_column="home_kelurahan_code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("home kelurahan"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # The ciphertext stays out of the history: the live row is the only place it exists.
    history = HistoricalRecords(excluded_fields=["updated_at", "nik_encrypted"])

    class Meta:
        ordering = ["id"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        constraints = [
            models.CheckConstraint(
                condition=_in("product_category", ProductCategory),
                name="vendor_product_category_valid",
            ),
            models.CheckConstraint(condition=_in("gender", Gender), name="vendor_gender_valid"),
            models.CheckConstraint(
                condition=Q(women_programme=False) | Q(gender="F"),
                name="vendor_women_programme_is_for_women",
            ),
        ]

    def __str__(self) -> str:
        return f"Vendor {self.pk}: {self.business_name}"


class ClaimVerification(models.Model):
    """An outlet manager's check of one claim of a vendor (her programme list entry, her KTP's
    address), with who, when and why.

    At most one live verification per claim: changing the claim revokes it (`revoked_at`), so a
    claim counts in allocation only as it stood when it was checked. Revoked rows stay as the
    record of what was checked.
    """

    # The reason may quote the documents checked (a KTP address): kept out of the audit trail.
    personal_fields = frozenset({"reason"})

    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.PROTECT,
        related_name="claim_verifications",
        verbose_name=_("vendor"),
    )
    claim = models.CharField(_("claim"), max_length=16, choices=Claim.choices)
    reason = models.TextField(_("reason"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["vendor_id", "claim", "-verified_at"]
        verbose_name = _("claim verification")
        verbose_name_plural = _("claim verifications")
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "claim"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_verification_per_claim",
            ),
            models.CheckConstraint(condition=_in("claim", Claim), name="verification_claim_valid"),
        ]

    def __str__(self) -> str:
        return f"Verification {self.pk}: {self.claim} of vendor {self.vendor_id}"


class DuplicateNikAttempt(models.Model):
    """A registration refused because its NIK already has an account.

    The caller is told only that the NIK cannot be registered; the account's owner learns of the
    attempt through an outlet manager, who sees these on her record. No NIK and nothing about
    the caller but the request id (which leads to the server's logs) is kept.
    """

    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.CASCADE,
        related_name="duplicate_nik_attempts",
        verbose_name=_("vendor"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("duplicate NIK attempt")
        verbose_name_plural = _("duplicate NIK attempts")

    def __str__(self) -> str:
        return f"Duplicate NIK attempt {self.pk} on vendor {self.vendor_id}"


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
        return f"Offer {self.pk} ({self.status})"

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
    offer = models.OneToOneField(
        Offer, on_delete=models.PROTECT, related_name="lease", verbose_name=_("offer")
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
            models.CheckConstraint(condition=_in("status", LeaseStatus), name="lease_status_valid"),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="lease_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(monthly_fee__gte=0), name="lease_fee_non_negative"),
            models.CheckConstraint(
                condition=Q(status="active") | ~Q(termination_reason=""),
                name="lease_termination_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Lease {self.pk} ({self.status})"
