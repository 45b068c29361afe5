"""`manage.py expire_offers`: write down every open offer past its deadline and free its stall.

Readers already see such an offer expired and its stall vacant (no read writes); run this from
cron (say every few minutes) so the rows, the history and follow-up rounds catch up.
"""

import logging

from django.core.management.base import BaseCommand

from outlets.services import offers_expire_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Expire open offers past their acceptance deadline; their stalls become vacant."

    def handle(self, *args, **options):
        count = offers_expire_due()
        logger.info("offers expired", extra={"event": "offers_expire_due", "expired": count})
        self.stdout.write(f"Expired {count} offer(s).")
