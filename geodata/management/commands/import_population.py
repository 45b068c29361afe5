"""`manage.py import_population FILE --year Y --source S`: newer population figures.

FILE is a CSV with a district code column (`code`, `kecamatan_code` or `kelurahan_code`) and a
population column (`population` or `total`), one row for every kecamatan or for every
kelurahan of Depok; optional `year` and `source` (or `reference`) columns stand in for the
options. The figures are stored on the districts, the population cells are rebuilt from them
(kelurahan figures spread within each kelurahan, kecamatan figures within each kecamatan), and
every asset is re-assessed.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from geodata.models import District
from geodata.population import PopulationError, parse_population_csv
from geodata.services import population_import


class Command(BaseCommand):
    help = "Import population figures per kecamatan or per kelurahan and rebuild the cells."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV with code and population columns")
        parser.add_argument(
            "--year", type=int, help="year of the figures (required unless in the file)"
        )
        parser.add_argument(
            "--source", help="where the figures come from (required unless in the file)"
        )
        parser.add_argument(
            "--no-assess", action="store_true", help="do not re-assess the assets afterwards"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
        codes = dict(District.objects.values_list("code", "level"))
        try:
            figures = parse_population_csv(
                text,
                kecamatan_codes={c for c, level in codes.items() if level == "kecamatan"},
                kelurahan_codes={c for c, level in codes.items() if level == "kelurahan"},
            )
        except PopulationError as exc:
            raise CommandError(str(exc)) from exc
        year = options["year"] or figures.year
        source = options["source"] or figures.source
        try:
            record = population_import(
                figures=figures.values, level=figures.level, year=year, source=source
            )
        except ValidationError as exc:
            messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            raise CommandError(messages) from exc
        self.stdout.write(
            f"{len(figures.values)} {figures.level} figures for {year} imported; "
            f"{record.cell_count} cells, {record.total_population:,.0f} residents."
        )
        if not options["no_assess"]:
            call_command("assess_assets", stdout=self.stdout)
