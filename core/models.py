"""The audit trail: one row per recorded write, with who, when, what and from which request."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    BULK = "bulk", _("Bulk operation")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("at"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=8, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=64)  # e.g. "assets_app.asset"
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_index=True)
    method = models.CharField(max_length=10, blank=True, verbose_name=_("HTTP method"))
    path = models.CharField(max_length=300, blank=True, verbose_name=_("path"))
    remote_addr = models.GenericIPAddressField(
        null=True, blank=True, verbose_name=_("remote address")
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx"),
            models.Index(fields=["user", "at"], name="audit_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.object_type}"


class PasswordResetCode(models.Model):
    """A one-time code an outlet manager issues to a vendor without e-mail, after checking her
    KTP in person (`core.reset_codes`). Only a keyed hash of the code is kept; it is valid until
    `expires_at` (24 hours), once (`used_at`), and issuing a new one ends the previous one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reset_codes",
        verbose_name=_("user"),
    )
    code_hash = models.CharField(_("code hash"), max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    wrong_guesses = models.PositiveSmallIntegerField(_("wrong guesses"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("password reset code")
        verbose_name_plural = _("password reset codes")

    def __str__(self) -> str:
        return f"Reset code {self.pk} for user {self.user_id}"
