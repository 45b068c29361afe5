"""Vendors (the NIK kept only encrypted, hashed and masked), their verified claims and the
record of duplicate-NIK registration attempts."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outlets.choices import (
    Claim,
    Gender,
    ProductCategory,
)
from outlets.models._base import (
    NIB_MESSAGE,
    NIB_RE,
    PHONE_MESSAGE,
    PHONE_RE,
    _in,
)


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
