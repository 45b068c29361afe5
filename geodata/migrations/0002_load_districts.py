"""Load the 11 kecamatan and 63 kelurahan so that no migrated database lacks its districts."""

from django.db import migrations


def load(apps, schema_editor):
    from geodata.loaders import districts_load

    districts_load(apps.get_model("geodata", "District"))


def unload(apps, schema_editor):
    District = apps.get_model("geodata", "District")
    District.objects.filter(level="kelurahan").delete()
    District.objects.filter(level="kecamatan").delete()


class Migration(migrations.Migration):
    dependencies = [("geodata", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
