"""What the domain tells vendors, as notifications: offers made (after an allocation commits),
offers about to expire, leases starting and nearing their end.

`send_offer_reminders(now)` and `send_lease_reminders(today)` are what the daily job calls; both
are idempotent (each reminder has a key, stored once per channel), so running them twice, or
every hour, sends nothing twice.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.messages import LEASE_ENDING, LEASE_STARTED, OFFER_EXPIRING, OFFER_MADE
from notifications.services import Message, notify_many

logger = logging.getLogger(__name__)

OFFER_REMINDER_BEFORE = timedelta(hours=24)
LEASE_ENDING_DAYS = 30
# A lease that started while the job was not running still gets its message, up to this late.
LEASE_START_GRACE_DAYS = 7


def depok_time(moment: datetime) -> str:
    return timezone.localtime(moment, timezone.get_default_timezone()).strftime("%d-%m-%Y %H:%M")


def rupiah(amount: Decimal) -> str:
    return f"{int(amount):,}".replace(",", ".")


def _link(path: str) -> str:
    return settings.NOTIFICATION_SITE_URL.rstrip("/") + path


def _offer_message(offer, template: str, key: str) -> Message:
    vendor = offer.application.vendor
    return Message(
        user_id=vendor.user_id,
        template=template,
        key=key,
        email=vendor.user.email or "",
        phone=vendor.phone,
        context={
            "offer": offer.pk,
            "round": offer.application.round.name,
            "stall": offer.stall.code,
            "outlet": offer.stall.outlet.name,
            "deadline": depok_time(offer.expires_at),
            "link": _link(f"/vendor/offers/{offer.pk}/"),
        },
    )


def _offers():
    from outlets.models import Offer

    return Offer.objects.select_related(
        "application__vendor__user", "application__round", "stall__outlet"
    )


def offers_notify_round(*, round_id: int) -> None:
    """After the allocation's transaction commits: tell every vendor offered a stall in it.

    Registered with `transaction.on_commit` (robust), so nothing here can undo the offers."""

    def work() -> None:
        try:
            offers = _offers().filter(application__round_id=round_id, status="open")
            with transaction.atomic():
                notify_many([_offer_message(o, OFFER_MADE, f"offer_made:{o.pk}") for o in offers])
        except Exception:
            logger.exception("offer notifications failed", extra={"round_id": round_id})

    transaction.on_commit(work, robust=True)


def send_offer_reminders(now: datetime | None = None) -> int:
    """Remind each vendor whose open offer expires within 24 hours of `now`, once per offer.
    Returns the notifications stored."""
    now = now or timezone.now()
    offers = _offers().filter(
        status="open", expires_at__gt=now, expires_at__lte=now + OFFER_REMINDER_BEFORE
    )
    messages = [_offer_message(o, OFFER_EXPIRING, f"offer_expiring:{o.pk}") for o in offers]
    with transaction.atomic():
        return len(notify_many(messages))


def _lease_message(lease, template: str, key: str) -> Message:
    return Message(
        user_id=lease.vendor.user_id,
        template=template,
        key=key,
        email=lease.vendor.user.email or "",
        phone=lease.vendor.phone,
        context={
            "lease": lease.pk,
            "stall": lease.stall.code,
            "outlet": lease.stall.outlet.name,
            "start": lease.start_date.strftime("%d-%m-%Y"),
            "end": lease.end_date.strftime("%d-%m-%Y"),
            "fee": rupiah(lease.monthly_fee),
        },
    )


def send_lease_reminders(today: date | None = None) -> int:
    """Tell each vendor whose lease starts on `today` (or started in the last week, when the job
    missed a day) and whose lease ends within 30 days; once per lease and message. Returns the
    notifications stored."""
    from outlets.models import Lease
    from outlets.nik import city_today

    today = today or city_today()
    in_force = ("signed", "active")
    leases = Lease.objects.select_related("vendor__user", "stall__outlet").filter(
        status__in=in_force
    )
    starting = leases.filter(
        start_date__lte=today,
        start_date__gt=today - timedelta(days=LEASE_START_GRACE_DAYS),
        end_date__gt=today,
    )
    ending = leases.filter(end_date__gt=today, end_date__lte=today + timedelta(LEASE_ENDING_DAYS))
    messages = [_lease_message(x, LEASE_STARTED, f"lease_started:{x.pk}") for x in starting]
    messages += [_lease_message(x, LEASE_ENDING, f"lease_ending:{x.pk}") for x in ending]
    with transaction.atomic():
        return len(notify_many(messages))
