"""The shipped Depok geography: official names and codes, areas, and point location."""

import pytest

from shapely.geometry import Point, Polygon

from geodata import boundaries
from geodata.boundaries import locate, locate_point
from geodata.models import District
from geodata.spatial import area_m2

KECAMATAN = {
    "32.76.01": "Pancoran Mas",
    "32.76.02": "Cimanggis",
    "32.76.03": "Sawangan",
    "32.76.04": "Limo",
    "32.76.05": "Sukmajaya",
    "32.76.06": "Beji",
    "32.76.07": "Cipayung",
    "32.76.08": "Cilodong",
    "32.76.09": "Cinere",
    "32.76.10": "Tapos",
    "32.76.11": "Bojongsari",
}
KELURAHAN_PER_KECAMATAN = {
    "32.76.01": 6,
    "32.76.02": 6,
    "32.76.03": 7,
    "32.76.04": 4,
    "32.76.05": 6,
    "32.76.06": 6,
    "32.76.07": 5,
    "32.76.08": 5,
    "32.76.09": 4,
    "32.76.10": 7,
    "32.76.11": 7,
}

# One point inside each kecamatan (checked against the boundaries, away from borders).
INSIDE = {
    "32.76.01": (106.80483, -6.39913, "32.76.01.1008"),
    "32.76.02": (106.86257, -6.36749, "32.76.02.1010"),
    "32.76.03": (106.76232, -6.39797, "32.76.03.1011"),
    "32.76.04": (106.78218, -6.36629, "32.76.04.1004"),
    "32.76.05": (106.84494, -6.39778, "32.76.05.1003"),
    "32.76.06": (106.81794, -6.37229, "32.76.06.1002"),
    "32.76.07": (106.80211, -6.43256, "32.76.07.1004"),
    "32.76.08": (106.83752, -6.42809, "32.76.08.1002"),
    "32.76.09": (106.78923, -6.33244, "32.76.09.1001"),
    "32.76.10": (106.87830, -6.42128, "32.76.10.1006"),
    "32.76.11": (106.74063, -6.39947, "32.76.11.1002"),
}


@pytest.mark.django_db
def test_migrated_database_has_all_74_districts_with_official_names():
    kecamatan = dict(District.objects.filter(level="kecamatan").values_list("code", "name"))
    assert kecamatan == KECAMATAN
    assert District.objects.filter(level="kelurahan").count() == 63
    for code, count in KELURAHAN_PER_KECAMATAN.items():
        assert District.objects.filter(level="kelurahan", parent_id=code).count() == count


@pytest.mark.django_db
def test_kelurahan_codes_and_the_two_curugs():
    curug = District.objects.filter(name="Curug").order_by("code")
    assert [(d.code, d.parent_id) for d in curug] == [
        ("32.76.02.1008", "32.76.02"),
        ("32.76.11.1005", "32.76.11"),
    ]
    for district in District.objects.filter(level="kelurahan"):
        assert district.code.startswith(district.parent_id + ".")


@pytest.mark.django_db
def test_kecamatan_areas_sum_to_depok_area():
    total = sum(District.objects.filter(level="kecamatan").values_list("area_km2", flat=True))
    assert total == pytest.approx(199.8, abs=1.0)
    beji = District.objects.get(code="32.76.06")
    assert beji.area_km2 == pytest.approx(14.765, abs=0.001)


@pytest.mark.django_db
def test_kecamatan_population_is_the_2020_census():
    # issue 18: SP2020's city total, per kecamatan by the SP2010 shares (largest remainder)
    rows = District.objects.filter(level="kecamatan")
    assert sum(d.population for d in rows) == 2_056_335
    assert {d.population_year for d in rows} == {2020}
    assert {d.population_source for d in rows} == {boundaries.POPULATION_SOURCE_2020}
    census_2010 = boundaries.population_2010()
    share_total = sum(row["total"] for row in census_2010.values())
    assert share_total == 1_736_565
    for district in rows:
        exact = census_2010[district.code]["total"] * 2_056_335 / share_total
        assert abs(district.population - exact) < 1
    assert District.objects.get(code="32.76.01").population == 248_911
    # the kelurahan carry no figure of their own (they were never imported)
    assert not District.objects.filter(level="kelurahan", population__isnull=False).exists()


@pytest.mark.django_db
def test_load_districts_is_idempotent():
    from django.core.management import call_command

    call_command("load_districts")
    call_command("load_districts")
    assert District.objects.count() == 74


def test_kelurahan_area_equals_kecamatan_area():
    by_kecamatan = {k.code: area_m2(k.geometry) for k in boundaries.kecamatan()}
    summed: dict[str, float] = {}
    for kel in boundaries.kelurahan():
        summed[kel.parent_code] = summed.get(kel.parent_code, 0.0) + area_m2(kel.geometry)
    for code, area in by_kecamatan.items():
        assert summed[code] == pytest.approx(area, rel=1e-6)


@pytest.mark.parametrize(("kecamatan", "point"), sorted(INSIDE.items()))
def test_locate_a_point_in_each_kecamatan(kecamatan, point):
    lon, lat, kelurahan = point
    location = locate_point(lon, lat)
    assert location.kecamatan_code == kecamatan
    assert location.kelurahan_code == kelurahan
    assert location.inside


def test_locate_in_jakarta_is_outside_not_an_error():
    location = locate_point(106.8456, -6.2088)  # Monas, Jakarta
    assert location.kelurahan_code is None
    assert location.kecamatan_code is None
    assert not location.inside


def test_point_on_a_shared_border_goes_to_the_lowest_code_every_time():
    # A vertex shared by two kelurahan: take a boundary point of one that touches another.
    kel = boundaries.kelurahan()
    a, b = next(
        (x, y) for x in kel for y in kel if x.code < y.code and x.geometry.touches(y.geometry)
    )
    shared = a.geometry.boundary.intersection(b.geometry.boundary)
    point = shared.representative_point() if not shared.is_empty else None
    assert point is not None
    results = {locate_point(point.x, point.y) for _ in range(5)}
    assert len(results) == 1
    (result,) = results
    assert result.kelurahan_code == a.code  # a has the lower code


def test_locate_polygon_uses_a_point_inside_it():
    lon, lat, kelurahan = INSIDE["32.76.06"]
    square = Polygon(
        [
            (lon - 1e-4, lat - 1e-4),
            (lon + 1e-4, lat - 1e-4),
            (lon + 1e-4, lat + 1e-4),
            (lon - 1e-4, lat + 1e-4),
            (lon - 1e-4, lat - 1e-4),
        ]
    )
    assert locate(square).kelurahan_code == kelurahan
    assert locate(Point(lon, lat)).kelurahan_code == kelurahan
