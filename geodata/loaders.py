"""Load the shipped boundaries and census figures into the District table (idempotent)."""

from geodata import boundaries
from geodata.spatial import area_m2, bounds, representative_point, to_geojson


def districts_load(District) -> int:  # noqa: N803 - the model class, real or historical
    """Create or update the 11 kecamatan and 63 kelurahan; returns how many rows were written.

    Takes the model class so that the data migration can pass its historical model.
    Population already imported with a newer year is left alone.
    """
    population = boundaries.population_2010()
    written = 0
    for item in (*boundaries.kecamatan(), *boundaries.kelurahan()):
        min_lon, min_lat, max_lon, max_lat = bounds(item.geometry)
        lon, lat = representative_point(item.geometry)
        defaults = {
            "name": item.name,
            "level": item.level,
            "parent_id": item.parent_code,
            "bps_code": item.bps_code,
            "geometry": to_geojson(item.geometry),
            "min_lon": min_lon,
            "min_lat": min_lat,
            "max_lon": max_lon,
            "max_lat": max_lat,
            "lon": lon,
            "lat": lat,
            "area_km2": round(area_m2(item.geometry) / 1e6, 4),
        }
        existing = District.objects.filter(code=item.code).first()
        census = population.get(item.code)
        if census and (existing is None or existing.population_year in (None, census["year"])):
            defaults.update(
                population=census["total"],
                population_year=census["year"],
                population_source=census["source"],
            )
        District.objects.update_or_create(code=item.code, defaults=defaults)
        written += 1
    return written
