"""The calendar's work for one day (`manage.py run_daily`), in order: send again the
notifications that failed before (`notifications.services.notifications_retry`, when that app is
installed), expire offers and waitlist offers past their time, end and start leases by their
dates, issue the bills due, send reminders (through `notifications.reminders`), and offer vacant
stalls to waitlisted applicants.

Safe to run twice (every step writes only what is not written yet) and twice at once: on
PostgreSQL the run holds a transaction-level advisory lock for its whole length, so a second
run waits and then finds nothing to do; SQLite serialises writers anyway. A date in the past or
the future runs the day as if it were that date (offers expire by the end of that day).
"""

from __future__ import annotations

import importlib
import logging
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime

from django.db import connection, transaction
from django.utils import timezone

from operations.services.billing import bills_issue
from operations.services.waitlist import waitlist_expire_due, waitlist_refill
from outlets.nik import city_today
from outlets.services import leases_write_down, offers_expire_due

logger = logging.getLogger(__name__)

# An arbitrary 64-bit key naming the run_daily lock (pg_advisory_xact_lock).
RUN_DAILY_LOCK = 7_616_016_160_016


def _end_of(day: date) -> datetime:
    """The last moment of `day` in Depok: what has lapsed by then has lapsed on that day."""
    tz = timezone.get_default_timezone()
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), dtime.min), tz) - (
        timedelta(microseconds=1)
    )


def _reminders(now: datetime, today: date) -> dict:
    try:
        reminders = importlib.import_module("notifications.reminders")
    except ImportError:
        return {"reminders": "not installed"}
    sent = {}
    for name, arg in (("send_offer_reminders", now), ("send_lease_reminders", today)):
        fn = getattr(reminders, name, None)
        if fn is not None:
            sent[name] = fn(arg)
    return sent


def _retry_notifications() -> dict:
    """Retry what failed before this run, outside the run's transaction: each send holds only its
    own row lock, and the day's new reminders are sent once the run commits."""
    try:
        services = importlib.import_module("notifications.services")
    except ImportError:
        return {"tried": 0, "sent": 0, "failed": 0}
    return services.notifications_retry()


def run_daily(*, today: date) -> dict:
    """Do the day's work for `today`; returns what it did (counts)."""
    started = time.monotonic()
    retried = _retry_notifications()
    now = min(_end_of(today), timezone.now()) if today <= city_today() else _end_of(today)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RUN_DAILY_LOCK])
        figures = {
            "date": today.isoformat(),
            "offers_expired": offers_expire_due(now=now),
            "waitlist_offers_expired": waitlist_expire_due(now=now),
        }
        ended, started_leases = leases_write_down(today=today)
        figures["leases_ended"], figures["leases_started"] = ended, started_leases
        figures["bills_issued"] = bills_issue(today=today)
        figures["reminders"] = _reminders(now, today)
        figures["waitlist_offers"] = len(waitlist_refill(today=today))
    figures["notifications_retried"] = retried
    figures["duration_s"] = round(time.monotonic() - started, 3)
    logger.info("run_daily", extra={"event": "run_daily", **figures})
    return figures
