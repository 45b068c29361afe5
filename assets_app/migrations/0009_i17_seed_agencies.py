"""The agencies' starting list and each existing asset's custodian agency (#17).

Apart from 0008's schema changes: on PostgreSQL the rows updated here fire deferred foreign-key
triggers, and the indexes 0008 creates at its end cannot be built while those are pending.
"""

import csv
from pathlib import Path

from django.db import migrations

AGENCIES = Path(__file__).resolve().parent.parent / "data" / "agencies.csv"
# Spellings the free-text custodian held before agencies existed (assets_app/demo.py, bench/).
ALIASES = {"bkad": "BKD", "bpkad": "BKD"}


def seed_agencies(apps, schema_editor):
    """The editable starting list of agencies, and each asset's custodian agency from its free
    text (by code, name or alias; a kecamatan or kelurahan office to KECAMATAN; anything else
    to the managing agency, BKD, to be reassigned by its officers)."""
    Agency = apps.get_model("assets_app", "Agency")
    Asset = apps.get_model("assets_app", "Asset")
    with AGENCIES.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        Agency.objects.get_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "kind": row["kind"],
                "runs_outlets": row["runs_outlets"] == "true",
            },
        )
    lookup = dict(ALIASES)
    for row in rows:
        lookup[row["code"].lower()] = row["code"]
        lookup[row["name"].lower()] = row["code"]
    texts = Asset.objects.values_list("custodian", flat=True).distinct()
    for text in texts:
        key = (text or "").strip().lower()
        code = lookup.get(key)
        if code is None and key.startswith(("kecamatan", "kelurahan")):
            code = "KECAMATAN"
        Asset.objects.filter(custodian=text).update(custodian_agency_id=code or "BKD")


def unseed_agencies(apps, schema_editor):
    apps.get_model("assets_app", "Asset").objects.update(custodian_agency_id=None)


class Migration(migrations.Migration):
    dependencies = [("assets_app", "0008_i17_agencies_decisions")]

    operations = [migrations.RunPython(seed_agencies, unseed_agencies)]
