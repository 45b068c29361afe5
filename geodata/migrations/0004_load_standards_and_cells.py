"""Load the shipped service standards and build the population cells from the census figures,
so that no migrated database lacks them."""

from django.db import migrations


def load(apps, schema_editor):
    from geodata.services import population_cells_rebuild
    from geodata.standards import service_standards_load

    service_standards_load(apps.get_model("geodata", "ServiceStandard"))
    population_cells_rebuild(
        models=(
            apps.get_model("geodata", "District"),
            apps.get_model("geodata", "PopulationSource"),
            apps.get_model("geodata", "PopulationCell"),
        )
    )


def unload(apps, schema_editor):
    apps.get_model("geodata", "PopulationCell").objects.all().delete()
    apps.get_model("geodata", "PopulationSource").objects.all().delete()
    apps.get_model("geodata", "ServiceStandard").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("geodata", "0003_service_standards_population")]

    operations = [migrations.RunPython(load, unload)]
