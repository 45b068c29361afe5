from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Messages to vendors (e-mail and SMS/WhatsApp), stored, sent after commit and retried."""

    name = "notifications"
    verbose_name = _("notifications")
    default_auto_field = "django.db.models.BigAutoField"
