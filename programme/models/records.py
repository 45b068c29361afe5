"""Coaching sessions and who attended, a vendor's business licences, and the licences an outlet
requires for a stall kind."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outlets.choices import StallKind
from programme.choices import LicenceKind, Topic
from programme.models.cohorts import _in


class CoachingSession(models.Model):
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    trainer = models.CharField(_("trainer"), max_length=200)
    batch = models.CharField(_("coaching batch"), max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("coaching session")
        verbose_name_plural = _("coaching sessions")
        constraints = [
            models.CheckConstraint(condition=_in("topic", Topic), name="coaching_topic_valid"),
        ]

    def __str__(self) -> str:
        return f"Coaching {self.pk}: {self.topic} on {self.held_on}"


class Attendance(models.Model):
    session = models.ForeignKey(
        CoachingSession, on_delete=models.PROTECT, related_name="attendances"
    )
    vendor = models.ForeignKey(
        "outlets.Vendor", on_delete=models.PROTECT, related_name="coaching_attendances"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["session_id", "vendor_id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["session", "vendor"], name="one_attendance_per_vendor")
        ]

    def __str__(self) -> str:
        return f"Attendance of vendor {self.vendor_id} at session {self.session_id}"


class Licence(models.Model):
    """A business licence of a vendor. Valid on a day from `issued_on` to `expires_on`
    (inclusive; an NIB does not expire)."""

    vendor = models.ForeignKey("outlets.Vendor", on_delete=models.PROTECT, related_name="licences")
    kind = models.CharField(_("kind"), max_length=8, choices=LicenceKind.choices)
    number = models.CharField(_("number"), max_length=40)
    issuer = models.CharField(_("issuer"), max_length=200)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["vendor_id", "kind", "-issued_on"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="one_licence_per_number"),
            models.CheckConstraint(condition=_in("kind", LicenceKind), name="licence_kind_valid"),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("issued_on")),
                name="licence_expires_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"Licence {self.pk}: {self.kind} of vendor {self.vendor_id}"


class LicenceRequirement(models.Model):
    """An outlet's rule: an application for a stall kind there needs a valid licence of a kind."""

    outlet = models.ForeignKey(
        "outlets.Outlet", on_delete=models.CASCADE, related_name="licence_requirements"
    )
    stall_kind = models.CharField(_("stall kind"), max_length=16, choices=StallKind.choices)
    licence_kind = models.CharField(_("licence kind"), max_length=8, choices=LicenceKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["outlet_id", "stall_kind", "licence_kind"]
        verbose_name = _("licence requirement")
        verbose_name_plural = _("licence requirements")
        constraints = [
            models.UniqueConstraint(
                fields=["outlet", "stall_kind", "licence_kind"], name="one_requirement_per_kind"
            ),
            models.CheckConstraint(
                condition=_in("stall_kind", StallKind), name="requirement_stall_kind_valid"
            ),
            models.CheckConstraint(
                condition=_in("licence_kind", LicenceKind), name="requirement_licence_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Requirement {self.pk}: {self.licence_kind} for {self.stall_kind}"
