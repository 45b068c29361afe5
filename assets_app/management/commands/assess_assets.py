"""`manage.py assess_assets`: recompute and store the repurposing assessment of every asset."""

import time

from django.core.management.base import BaseCommand

from assets_app.repurposing import assets_assess


class Command(BaseCommand):
    help = "Recompute the stored repurposing assessment (repurposable, assessed_at) of all assets."

    def handle(self, *args, **options):
        started = time.perf_counter()
        counts = assets_assess()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{counts['assessed']} assets assessed in {elapsed:.2f} s: "
            f"{counts['repurposable']} repurposable, {counts['not_repurposable']} not."
        )
