"""Synthetic demo reference facilities (about 300) for `manage.py seed_demo`.

Private and religious-ministry schools and private health facilities at random points inside
Depok's kelurahan, drawn from a fixed seed so that loading twice changes nothing. Every row says
it is synthetic: NPSNs in the unused 99xxxxxx range, names ending "(data sintetis)", source
"synthetic demo data", and the `synthetic` flag. They go through the real importer.
"""

from __future__ import annotations

import csv
import io
import random

import shapely

from facilities.services import facilities_import
from geodata import boundaries

SEED = 18
SOURCE = "synthetic demo data"
# (category as Dapodik / Kemenkes writes it, ownership, how many, kind)
MIX = (
    ("SD", "Swasta", 70, "school"),
    ("MI", "Swasta", 30, "school"),
    ("SMP", "Swasta", 35, "school"),
    ("MTs", "Swasta", 15, "school"),
    ("SMA", "Swasta", 15, "school"),
    ("SMK", "Swasta", 25, "school"),
    ("TK", "Swasta", 45, "school"),
    ("RA", "Swasta", 20, "school"),
    ("Klinik Pratama", "Swasta", 35, "health"),
    ("Rumah Sakit Umum", "Swasta", 10, "health"),
)
CAPACITY = {"SD": (120, 480), "MI": (90, 300), "SMP": (150, 600), "MTs": (120, 400)}
CAPACITY.update({"SMA": (150, 600), "SMK": (200, 900), "TK": (20, 80), "RA": (20, 60)})


def _point(rng: random.Random, shape) -> tuple[float, float]:
    min_x, min_y, max_x, max_y = shape.bounds
    while True:
        x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        if shape.contains(shapely.Point(x, y)):
            return round(x, 6), round(y, 6)


def demo_files() -> tuple[bytes, bytes]:
    """(schools CSV in Dapodik's columns, health CSV in the Kemenkes columns)."""
    rng = random.Random(SEED)
    kelurahan = [k.geometry for k in boundaries.kelurahan()]
    schools, health = io.StringIO(), io.StringIO()
    school_rows = csv.writer(schools, lineterminator="\n")
    health_rows = csv.writer(health, lineterminator="\n")
    school_rows.writerow(
        ["NPSN", "Nama", "Bentuk Pendidikan", "Status Sekolah", "Lintang", "Bujur", "Peserta Didik"]
    )
    health_rows.writerow(
        ["Kode Faskes", "Nama Faskes", "Jenis Faskes", "Kepemilikan", "Latitude", "Longitude"]
        + ["Tempat Tidur"]
    )
    number = 0
    for category, owner, count, kind in MIX:
        for i in range(count):
            number += 1
            lon, lat = _point(rng, rng.choice(kelurahan))
            name = f"{category.upper()} {i + 1} (data sintetis)"
            if kind == "school":
                low, high = CAPACITY[category]
                school_rows.writerow(
                    [
                        f"{99900000 + number}",
                        name,
                        category,
                        owner,
                        lat,
                        lon,
                        rng.randint(low, high),
                    ]
                )
            else:
                beds = rng.randint(50, 250) if category.startswith("Rumah") else ""
                health_rows.writerow([f"SYN{number:06d}", name, category, owner, lat, lon, beds])
    return schools.getvalue().encode(), health.getvalue().encode()


def demo_reference_facilities() -> dict[str, int]:
    """Import the demo lists; returns {"created", "updated", "unchanged"} summed."""
    totals = {"created": 0, "updated": 0, "unchanged": 0}
    for data in demo_files():
        report = facilities_import(file=data, fmt="csv", user=None, source=SOURCE, synthetic=True)
        if report["errors"]:
            raise ValueError(
                f"Demo reference facilities failed their checks: {report['errors'][:5]}"
            )
        for key in totals:
            totals[key] += report[key]
    return totals
