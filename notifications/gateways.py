"""The SMS / WhatsApp gateway interface and its default backend.

A gateway is a class with `send(*, to: str, body: str) -> None` that raises on failure. The
setting `NOTIFICATION_SMS_BACKEND` (a dotted path) names the one in use; the default,
`RecordingGateway`, only stores the message (`GatewayMessage`), so development and tests send
nothing. A real provider plugs in as another class reading its own settings.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string


class Gateway:
    def send(self, *, to: str, body: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class RecordingGateway(Gateway):
    """Stores what it is asked to send, and sends nothing."""

    def send(self, *, to: str, body: str) -> None:
        from notifications.models import GatewayMessage

        GatewayMessage.objects.create(to=to, body=body)


def sms_gateway() -> Gateway:
    return import_string(settings.NOTIFICATION_SMS_BACKEND)()
