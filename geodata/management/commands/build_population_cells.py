"""`manage.py build_population_cells`: rebuild the cells from the figures on the districts."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from geodata.services import population_cells_rebuild


class Command(BaseCommand):
    help = "Rebuild the population cells from the kecamatan figures stored on the districts."

    def handle(self, *args, **options):
        try:
            record = population_cells_rebuild()
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{record.cell_count} cells built: {record.label}.")
