"""Issue 18: the default population moves from SP2010 to SP2020 (the city total of 2,056,335,
per kecamatan by the SP2010 shares; geodata/data/population_2020.csv), and the demand cells are
rebuilt from it. A database whose figures were imported (another year than 2010) keeps them.
Assets keep their stored repurposable flag until `manage.py assess_assets` runs."""

from django.db import migrations


def _rebuild(apps):
    from geodata.services import population_cells_rebuild

    population_cells_rebuild(
        models=(
            apps.get_model("geodata", "District"),
            apps.get_model("geodata", "PopulationSource"),
            apps.get_model("geodata", "PopulationCell"),
        )
    )


def _set(apps, figures, *, only_year):
    District = apps.get_model("geodata", "District")
    kecamatan = District.objects.filter(level="kecamatan")
    if kecamatan.exclude(population_year=only_year).exists():
        return False  # newer figures were imported: leave them
    if District.objects.filter(level="kelurahan", population__isnull=False).exists():
        return False
    for code, row in figures.items():
        kecamatan.filter(code=code).update(
            population=row["total"], population_year=row["year"], population_source=row["source"]
        )
    return True


def forward(apps, schema_editor):
    from geodata import boundaries

    if _set(apps, boundaries.population_2020(), only_year=2010):
        _rebuild(apps)


def backward(apps, schema_editor):
    from geodata import boundaries

    if _set(apps, boundaries.population_2010(), only_year=2020):
        _rebuild(apps)


class Migration(migrations.Migration):
    dependencies = [("geodata", "0005_verbose_names")]

    operations = [migrations.RunPython(forward, backward)]
