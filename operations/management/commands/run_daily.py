"""`manage.py run_daily [--date YYYY-MM-DD]`: the calendar's work for a day (see
`operations.services.daily`). Run it once a day from cron or a systemd timer (README); safe to
run twice, or twice at once, and with a past date to catch up."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from operations.services.daily import run_daily
from outlets.nik import city_today


class Command(BaseCommand):
    help = (
        "Retry failed notifications, expire due offers, end and start leases, issue bills, "
        "send reminders and make waitlist offers for a day (default: today in Depok)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to run, YYYY-MM-DD (default: today)")

    def handle(self, *args, **options):
        raw = options.get("date")
        try:
            day = date.fromisoformat(raw) if raw else city_today()
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, got {raw!r}") from None
        figures = run_daily(today=day)
        retried = figures["notifications_retried"]
        self.stdout.write(
            "run_daily {date}: {offers_expired} offer(s) and {waitlist_offers_expired} waitlist "
            "offer(s) expired, {leases_ended} lease(s) ended, {leases_started} started, "
            "{bills_issued} bill(s) issued, {waitlist_offers} waitlist offer(s) made, "
            "{sent} of {tried} failed notification(s) sent again".format(
                **figures, sent=retried["sent"], tried=retried["tried"]
            )
        )
