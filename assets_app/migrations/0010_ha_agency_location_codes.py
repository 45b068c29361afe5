"""Agencies' kode lokasi: its shape is validated, and the seed agencies whose code is still
empty get the starting list's (`data/agencies.csv`: Kota Depok 12.32.76, then a bidang and unit
that the managing agency confirms or edits in the admin)."""

import csv
from pathlib import Path

import django.core.validators
from django.db import migrations, models

AGENCIES = Path(__file__).resolve().parent.parent / "data" / "agencies.csv"


def starting_codes() -> dict[str, str]:
    with AGENCIES.open(encoding="utf-8") as fh:
        return {row["code"]: row["location_code"] for row in csv.DictReader(fh)}


def fill_location_codes(apps, schema_editor):
    Agency = apps.get_model("assets_app", "Agency")
    for code, location in starting_codes().items():
        Agency.objects.filter(code=code, location_code="").update(location_code=location)


def clear_location_codes(apps, schema_editor):
    Agency = apps.get_model("assets_app", "Agency")
    for code, location in starting_codes().items():
        Agency.objects.filter(code=code, location_code=location).update(location_code="")


class Migration(migrations.Migration):
    dependencies = [("assets_app", "0009_i17_seed_agencies")]

    operations = [
        migrations.AlterField(
            model_name="agency",
            name="location_code",
            field=models.CharField(
                blank=True,
                max_length=64,
                validators=[
                    django.core.validators.RegexValidator(
                        "^(00|11|12)\\.\\d{2}\\.\\d{2}(\\.\\d{2}){1,4}$",
                        "Location code (kode lokasi) must look like 12.32.76.08.01: owner, "
                        "province, kabupaten/kota, then two to eight digits for bidang, unit, "
                        "sub unit and UPB.",
                    )
                ],
                verbose_name="location code (kode lokasi)",
            ),
        ),
        migrations.RunPython(fill_location_codes, clear_location_codes),
    ]
