"""Cohort lists as imported (who, when, the file's SHA-256), their members matched to vendors by
the keyed NIK hash, and the programme's targets by year with their source.

A member's NIK is never kept in clear: only the keyed hash `outlets.nik.nik_hash` (the one a
vendor's row holds, so a person who registers later is matched by it) and the masked form.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.choices import Programme, TargetProgramme


def _in(field: str, choices) -> Q:
    return Q(**{f"{field}__in": choices.values})


class CohortList(models.Model):
    """One imported file of the programme agency: a list of the people in its cohorts."""

    file_name = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(_("file format"), max_length=8)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    rows = models.PositiveIntegerField(_("rows"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("cohort list")
        verbose_name_plural = _("cohort lists")

    def __str__(self) -> str:
        return f"Cohort list {self.pk} ({self.rows} rows)"


class CohortMember(models.Model):
    """A person on a cohort list: a programme from a year, in a kecamatan and coaching batch.

    `vendor` is set when her NIK's hash matches a vendor's (at import, or when she registers);
    `verification` is the claim verification the list gave her.
    """

    personal_fields = frozenset({"full_name", "nik_masked", "nik_hash"})

    cohort_list = models.ForeignKey(
        CohortList, on_delete=models.PROTECT, related_name="members", verbose_name=_("list")
    )
    programme = models.CharField(_("programme"), max_length=8, choices=Programme.choices)
    year = models.PositiveSmallIntegerField(_("cohort year"))
    nik_hash = models.CharField(_("NIK lookup hash"), max_length=64, editable=False)
    nik_masked = models.CharField(_("NIK (masked)"), max_length=16, editable=False)
    full_name = models.CharField(_("full name"), max_length=200)
    kecamatan = models.ForeignKey(
        "geodata.District",
        to_field="code",
        db_column="kecamatan_code",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kecamatan"),
    )
    batch = models.CharField(_("coaching batch"), max_length=40, blank=True)
    vendor = models.ForeignKey(
        "outlets.Vendor",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cohort_memberships",
        verbose_name=_("vendor"),
    )
    verification = models.OneToOneField(
        "outlets.ClaimVerification",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cohort_member",
        verbose_name=_("verification"),
    )
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)

    class Meta:
        ordering = ["year", "programme", "id"]
        verbose_name = _("cohort member")
        verbose_name_plural = _("cohort members")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year", "nik_hash"], name="one_membership_per_cohort"
            ),
            models.CheckConstraint(
                condition=_in("programme", Programme), name="cohort_member_programme_valid"
            ),
        ]
        indexes = [models.Index(fields=["nik_hash"], name="cohort_member_nik_hash")]

    def __str__(self) -> str:
        return f"Cohort member {self.pk}"


class Target(models.Model):
    """A programme's target: for one year, or overall (`year` empty), with where it comes from."""

    programme = models.CharField(_("programme"), max_length=8, choices=TargetProgramme.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    target = models.PositiveIntegerField(_("target"))
    source = models.CharField(_("source"), max_length=300)
    source_url = models.URLField(_("source address"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["programme", "year"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year"], name="one_target_per_programme_year"
            ),
            models.UniqueConstraint(
                fields=["programme"],
                condition=Q(year__isnull=True),
                name="one_overall_target_per_programme",
            ),
            models.CheckConstraint(
                condition=_in("programme", TargetProgramme), name="target_programme_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Target {self.programme} {self.year or 'overall'}: {self.target}"
