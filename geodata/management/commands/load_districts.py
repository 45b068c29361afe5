"""`manage.py load_districts`: (re)load the shipped Depok boundaries; safe to run again."""

from django.core.management.base import BaseCommand
from django.db import transaction

from geodata.loaders import districts_load
from geodata.models import District


class Command(BaseCommand):
    help = "Load or refresh the 11 kecamatan and 63 kelurahan of Kota Depok."

    def handle(self, *args, **options):
        with transaction.atomic():
            count = districts_load(District)
        self.stdout.write(f"{count} districts loaded.")
