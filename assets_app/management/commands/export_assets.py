"""`manage.py export_assets --format csv|geojson|gpkg --output FILE`: the whole register."""

from pathlib import Path

from django.core.management.base import BaseCommand

from assets_app.exporting import EXPORT_FORMATS, assets_export
from assets_app.selectors import asset_list


class Command(BaseCommand):
    help = "Export the asset register as CSV, GeoJSON or GeoPackage."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=sorted(EXPORT_FORMATS), default="csv")
        parser.add_argument("--output", required=True, help="File to write.")

    def handle(self, *args, **options):
        queryset = asset_list()
        content = assets_export(queryset=queryset, file_format=options["format"])
        Path(options["output"]).write_bytes(content)
        self.stdout.write(f"Wrote {queryset.count()} assets to {options['output']}.")
