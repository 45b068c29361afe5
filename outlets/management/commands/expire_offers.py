"""`manage.py expire_offers`: expire every open offer past its deadline and free its stall.

Offers also expire when they are read or acted on; run this from cron (say every few minutes) so
stalls come free for follow-up rounds even when nobody looks.
"""

from django.core.management.base import BaseCommand

from outlets.services import offers_expire_due


class Command(BaseCommand):
    help = "Expire open offers past their acceptance deadline; their stalls become vacant."

    def handle(self, *args, **options):
        count = offers_expire_due()
        self.stdout.write(f"Expired {count} offer(s).")
