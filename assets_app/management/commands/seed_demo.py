"""`manage.py seed_demo`: load the synthetic demo register (idempotent; DEBUG only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assets_app.demo import demo_register
from assets_app.importing import assets_import_table, table_from_records
from facilities.demo import demo_reference_facilities


class Command(BaseCommand):
    help = "Load the deterministic, synthetic demo register of about 600 assets (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load even with DEBUG off (never in production)."
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo data is for development only (DEBUG is off).")
        records, geometries = demo_register()
        report = assets_import_table(
            table=table_from_records(records, geometries), user=None, update=True
        )
        if report["errors"]:
            raise CommandError(f"Demo data failed its own checks: {report['errors'][:5]}")
        self.stdout.write(
            f"Demo register (synthetic): {report['rows']} assets, {report['created']} created, "
            f"{report['updated']} updated, {report['unchanged']} unchanged."
        )
        facilities = demo_reference_facilities()
        self.stdout.write(
            f"Demo reference facilities (synthetic): {facilities['created']} created, "
            f"{facilities['updated']} updated, {facilities['unchanged']} unchanged."
        )
