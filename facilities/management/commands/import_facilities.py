"""`manage.py import_facilities FILE`: import a school or health-facility list (all or none)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from facilities.importing import FORMATS
from facilities.services import facilities_import

SUFFIX_FORMATS = {".csv": "csv", ".geojson": "geojson", ".json": "geojson"}


class Command(BaseCommand):
    help = (
        "Import reference facilities (Dapodik school list or Kemenkes facility list) from CSV "
        "or GeoJSON; every row is checked first, then all are written or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--format", choices=FORMATS, help="csv or geojson (default: from the suffix)."
        )
        parser.add_argument(
            "--source",
            required=True,
            help="Where the list comes from (e.g. 'Dapodik, Kemendikbud, downloaded 2026-11-01').",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        fmt = options["format"] or SUFFIX_FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise CommandError("Give --format: the suffix is not .csv, .geojson or .json.")
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            report = facilities_import(
                file=path.read_bytes(), fmt=fmt, user=None, source=options["source"]
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if report["errors"]:
            for error in report["errors"][:50]:
                self.stderr.write(f"row {error['row']}, {error['column']}: {error['message']}")
            raise CommandError(f"{len(report['errors'])} errors; nothing was imported.")
        self.stdout.write(
            f"{report['rows']} rows: created {report['created']}, updated {report['updated']}, "
            f"unchanged {report['unchanged']}, skipped {report['skipped']}; "
            f"re-assessed {report['reassessed']} city assets."
        )
