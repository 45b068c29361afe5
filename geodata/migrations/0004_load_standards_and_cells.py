"""Load the shipped service standards and build the population cells from the census figures,
so that no migrated database lacks them."""

from django.db import migrations


def load(apps, schema_editor):
    from geodata.services import population_cells_rebuild
    from geodata.standards import service_standards_load

    from django.utils import timezone

    ServiceStandard = apps.get_model("geodata", "ServiceStandard")
    Historical = apps.get_model("geodata", "HistoricalServiceStandard")
    service_standards_load(ServiceStandard)
    # The loaded values start the change history, so later edits show what they replaced.
    now = timezone.now()
    Historical.objects.bulk_create(
        [
            Historical(
                id=s.id, facility_type=s.facility_type, use=s.use, name=s.name,
                radius_m=s.radius_m, residents_per_facility=s.residents_per_facility,
                source=s.source, note=s.note, history_date=now, history_type="+",
                history_change_reason="Loaded from geodata/data/service_standards.csv",
            )
            for s in ServiceStandard.objects.order_by("id")
        ]
    )
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
    apps.get_model("geodata", "HistoricalServiceStandard").objects.all().delete()
    apps.get_model("geodata", "ServiceStandard").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("geodata", "0003_service_standards_population")]

    operations = [migrations.RunPython(load, unload)]
