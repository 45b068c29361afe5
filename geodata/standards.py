"""Service standards shipped in `geodata/data/service_standards.csv`, and their loader.

The CSV is the seed; once loaded, the `ServiceStandard` table (edited in the admin, with
history) is what the assessment reads.
"""

from __future__ import annotations

import csv
from pathlib import Path

from geodata.boundaries import DATA_DIR

STANDARDS_FILE: Path = DATA_DIR / "service_standards.csv"


def read_service_standards(path: Path = STANDARDS_FILE) -> list[dict]:
    """Rows of the shipped CSV with numeric columns converted."""
    with path.open(encoding="utf-8") as fh:
        return [
            {
                "facility_type": row["facility_type"],
                "use": row["use"],
                "name": row["name"],
                "radius_m": float(row["radius_m"]),
                "residents_per_facility": int(row["residents_per_facility"]),
                "source": row["source"],
                "note": row["note"],
            }
            for row in csv.DictReader(fh)
        ]


def service_standards_load(ServiceStandard, *, overwrite: bool = False) -> int:  # noqa: N803
    """Create missing standards from the CSV (all of them with `overwrite`); returns rows written.

    Takes the model class so that the data migration can pass its historical model. Without
    `overwrite`, values officials have changed are left alone.
    """
    written = 0
    for row in read_service_standards():
        values = {k: v for k, v in row.items() if k != "facility_type"}
        if overwrite:
            ServiceStandard.objects.update_or_create(
                facility_type=row["facility_type"], defaults=values
            )
            written += 1
        else:
            _, created = ServiceStandard.objects.get_or_create(
                facility_type=row["facility_type"], defaults=values
            )
            written += int(created)
    return written
