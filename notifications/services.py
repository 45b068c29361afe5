"""Writes for notifications: store one per recipient and channel, send after the commit, retry.

`notify` (one recipient) and `notify_many` store the rows in the caller's transaction and send
them once it commits (`transaction.on_commit`, robust: a failure there is logged, never raised
into the caller). A send that fails is recorded (`attempts`, `last_error`, state `failed`) and
retried by `notifications_retry` (`manage.py retry_notifications`, or the daily job) until
`NOTIFICATION_MAX_ATTEMPTS`; nothing a send does can undo the write that caused it (an offer
stays an offer). After commit at most `NOTIFICATION_SEND_INLINE_MAX` are sent in the request
itself; a city-sized round's remaining rows wait, stored, for the retry job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.gateways import sms_gateway
from notifications.messages import render
from notifications.models import Channel, DeliveryState, Notification

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """One thing to tell one user; `key` (unique per channel) makes it idempotent."""

    user_id: int
    template: str
    context: dict
    key: str = ""
    email: str = ""
    phone: str = ""


def _rows(messages: list[Message]) -> list[Notification]:
    rows = []
    for message in messages:
        for channel, address in ((Channel.EMAIL, message.email), (Channel.SMS, message.phone)):
            if address:
                rows.append(
                    Notification(
                        recipient_id=message.user_id,
                        channel=channel,
                        address=address,
                        template=message.template,
                        context=message.context,
                        key=message.key,
                    )
                )
    return rows


def notify_many(messages: list[Message]) -> list[int]:
    """Store the messages' notifications (an already stored key is skipped) and send them after
    the caller's transaction commits. Returns the new rows' ids."""
    rows = _rows(messages)
    if not rows:
        return []
    keys = {row.key for row in rows if row.key}
    taken = set(
        Notification.objects.filter(key__in=keys).values_list("key", "channel") if keys else ()
    )
    rows = [row for row in rows if (row.key, row.channel) not in taken]
    with transaction.atomic():
        try:
            with transaction.atomic():
                created = Notification.objects.bulk_create(rows)
        except IntegrityError:
            # A run of the same job stored some of these keys since the check: one at a time.
            created = []
            for row in rows:
                try:
                    with transaction.atomic():
                        row.save()
                    created.append(row)
                except IntegrityError:
                    continue
    ids = [row.pk for row in created if row.pk is not None]
    if ids:
        transaction.on_commit(lambda: deliver(ids), robust=True)
    return ids


def notify(*, user, template: str, context: dict, key: str = "") -> list[int]:
    """Tell one user by e-mail (if she has an address) and SMS (if she has a vendor's phone)."""
    return notify_many([message_for(user, template=template, context=context, key=key)])


def message_for(user, *, template: str, context: dict, key: str = "") -> Message:
    vendor = getattr(user, "vendor", None)
    return Message(
        user_id=user.pk,
        template=template,
        context=context,
        key=key,
        email=user.email or "",
        phone=vendor.phone if vendor is not None else "",
    )


def deliver(ids: list[int]) -> None:
    """Send these notifications now, at most `NOTIFICATION_SEND_INLINE_MAX`; never raises."""
    for pk in ids[: settings.NOTIFICATION_SEND_INLINE_MAX]:
        try:
            notification_send(pk)
        except Exception:
            logger.exception("notification could not be sent", extra={"notification_id": pk})


def notification_send(pk: int) -> Notification | None:
    """One attempt at one notification still to send (pending or failed), under its row lock, so
    a retry and an inline send never both send it. A failed attempt is recorded, not raised."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(pk=pk, state__in=[DeliveryState.PENDING, DeliveryState.FAILED])
            .first()
        )
        if notification is None:
            return None
        notification.attempts += 1
        try:
            with transaction.atomic():
                subject, body = render(notification.template, notification.context)
                if notification.channel == Channel.EMAIL:
                    send_mail(subject, body, None, [notification.address])
                else:
                    sms_gateway().send(to=notification.address, body=body)
        except Exception as exc:
            last = notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
            notification.state = DeliveryState.ABANDONED if last else DeliveryState.FAILED
            notification.last_error = f"{type(exc).__name__}: {exc}"[:500]
            logger.warning(
                "notification send failed",
                extra={
                    "notification_id": pk,
                    "attempts": notification.attempts,
                    "error": type(exc).__name__,
                },
            )
        else:
            notification.state = DeliveryState.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
        notification.save(update_fields=["attempts", "state", "last_error", "sent_at"])
        return notification


def notifications_retry() -> dict[str, int]:
    """Try again every notification not sent yet (pending or failed); returns the counts."""
    ids = list(
        Notification.objects.filter(state__in=[DeliveryState.PENDING, DeliveryState.FAILED])
        .order_by("id")
        .values_list("pk", flat=True)
    )
    counts = {"tried": 0, "sent": 0, "failed": 0}
    for pk in ids:
        notification = notification_send(pk)
        if notification is None:
            continue
        counts["tried"] += 1
        counts["sent" if notification.state == DeliveryState.SENT else "failed"] += 1
    return counts
