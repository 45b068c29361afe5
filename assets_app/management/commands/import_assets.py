"""`manage.py import_assets FILE [--dry-run] [--update] [--user NAME]`: bulk import, all or nothing.

Prints the report as JSON; exits with an error when any row is bad (nothing is written then).
A progress bar shows on a terminal.
"""

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from assets_app.importing import assets_import_file
from core.errors import ApplicationError


def _progress(iterable, total, desc):
    # disable=None: shown on a terminal, silent in pipes and tests.
    return tqdm(iterable, total=total, desc=desc, unit="", disable=None, leave=False)


class Command(BaseCommand):
    help = "Import assets from CSV (lon/lat or wkt), GeoJSON or GeoPackage; all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        parser.add_argument(
            "--update", action="store_true", help="Update assets whose register code exists."
        )
        parser.add_argument("--user", help="Username recorded in the history (default: none).")

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user named {options['user']!r}.")
        try:
            report = assets_import_file(
                path=options["file"],
                user=user,
                dry_run=options["dry_run"],
                update=options["update"],
                progress=_progress,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except ApplicationError as exc:  # e.g. an asset's status changed while it ran
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
        if report["errors"]:
            raise CommandError(f"{len(report['errors'])} error(s); nothing was written.")
