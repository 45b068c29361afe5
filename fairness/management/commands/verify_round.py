"""`manage.py verify_round FILE`: check a round's verification file with the project's engine."""

import json

from django.core.management.base import BaseCommand, CommandError

from fairness.verification import first_difference


class Command(BaseCommand):
    help = (
        "Check a round's verification file: the seed against its commitment, the lottery "
        "numbers, the allocation re-run with the project's engine, and the hashes. Prints "
        '"identical" or the first difference (exit status 1).'
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        try:
            with open(options["file"], encoding="utf-8") as handle:
                document = json.load(handle)
            found = first_difference(document)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CommandError(f"different: the file cannot be read ({exc!r})") from exc
        if found:
            raise CommandError(f"different: {found}")
        self.stdout.write("identical")
