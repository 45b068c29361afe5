from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core: roles, errors and audit trail")

    def ready(self) -> None:
        from simple_history.signals import post_create_historical_record

        from core import passwords
        from core.audit import on_historical_record

        # simple_history writes its rows from signals; the audit trail follows the same hook.
        post_create_historical_record.connect(on_historical_record, dispatch_uid="core_audit")
        # A changed password replaces the API token, whichever path changed it.
        passwords.connect()
