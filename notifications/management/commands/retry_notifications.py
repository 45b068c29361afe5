"""`manage.py retry_notifications`: send again every notification not sent yet."""

from django.core.management.base import BaseCommand

from notifications.services import notifications_retry


class Command(BaseCommand):
    help = "Send again every stored notification that is pending or failed."

    def handle(self, *args, **options):
        counts = notifications_retry()
        self.stdout.write(
            f"tried={counts['tried']} sent={counts['sent']} failed={counts['failed']}"
        )
