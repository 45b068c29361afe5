"""The population surface: grid cells clipped to kelurahan, figures spread by area, imports;
and the service standards loaded as data."""

import math

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max, Sum

import shapely

from assets_app.models import FacilityType
from geodata import boundaries
from geodata.models import (
    FACILITY_TYPES,
    District,
    PopulationCell,
    PopulationSource,
    ServiceStandard,
)
from geodata.population import (
    Area,
    PopulationError,
    build_cells,
    parse_population_csv,
    spread_population,
)
from geodata.spatial import from_utm
from geodata.standards import read_service_standards

KECAMATAN = {k.code for k in boundaries.kecamatan()}
KELURAHAN = {k.code for k in boundaries.kelurahan()}

# Two kelurahan side by side in UTM metres, split at x = 500 125 (mid-square of the 250 m grid):
# the left one is 625 x 250 m, the right one 375 x 250 m.
X0, Y0 = 500_000.0, 9_290_000.0


def utm_box(x1, y1, x2, y2):
    return from_utm(shapely.segmentize(shapely.box(x1, y1, x2, y2), 10))


AREAS = [
    Area("L", "K1", utm_box(X0, Y0, X0 + 625, Y0 + 250)),
    Area("R", "K2", utm_box(X0 + 625, Y0, X0 + 1000, Y0 + 250)),
]


# --- pure -----------------------------------------------------------------------------------


def test_grid_is_clipped_to_each_kelurahan():
    cells = build_cells(AREAS)
    # L covers squares 0, 1 and half of 2; R the other half of 2 and square 3.
    assert list(zip(cells["kelurahan_code"], cells["col"] - cells["col"].min(), strict=True)) == [
        ("L", 0),
        ("L", 1),
        ("L", 2),
        ("R", 2),
        ("R", 3),
    ]
    assert cells["area_m2"].round(0).tolist() == [62500, 62500, 31250, 31250, 62500]
    assert cells["x"].round(0).tolist() == [500125, 500375, 500563, 500688, 500875]
    assert (cells["y"].round(0) == Y0 + 125).all()
    assert cells["kecamatan_code"].tolist() == ["K1", "K1", "K1", "K2", "K2"]


def test_spread_by_area_within_each_district():
    cells = build_cells(AREAS)
    population = spread_population(cells, {"K1": 1000, "K2": 300}, level="kecamatan")
    assert population.round(6).tolist() == [400.0, 400.0, 200.0, 100.0, 200.0]
    population = spread_population(cells, {"L": 50, "R": 30}, level="kelurahan")
    assert population.round(6).tolist() == [20.0, 20.0, 10.0, 10.0, 20.0]


@pytest.mark.parametrize(
    ("figures", "message"),
    [
        ({"K1": 1}, "No population figure for kecamatan K2."),
        ({"K1": 1, "K2": 2, "K9": 3}, "Unknown kecamatan code(s): K9."),
        ({"K1": 1, "K2": -2}, "Population must be zero or more: K2."),
    ],
)
def test_spread_refuses_incomplete_figures(figures, message):
    with pytest.raises(PopulationError) as info:
        spread_population(build_cells(AREAS), figures, level="kecamatan")
    assert str(info.value) == message


def test_parse_population_csv_levels_and_errors():
    kec = {"K1", "K2"}
    kel = {"L", "R"}
    figures = parse_population_csv(
        'code,population,year,source\nK1,1000,2020,BPS SP2020\nK2,"2,500",2020,BPS SP2020\n',
        kecamatan_codes=kec,
        kelurahan_codes=kel,
    )
    assert (figures.level, figures.values, figures.year, figures.source) == (
        "kecamatan",
        {"K1": 1000, "K2": 2500},
        2020,
        "BPS SP2020",
    )
    figures = parse_population_csv(
        "kelurahan_code,total\nL,5\nR,7\n", kecamatan_codes=kec, kelurahan_codes=kel
    )
    assert (figures.level, figures.values, figures.year, figures.source) == (
        "kelurahan",
        {"L": 5, "R": 7},
        None,
        "",
    )
    for text, message in [
        ("code,population\nK1,1\nL,2\n", "Give figures for kecamatan or for kelurahan, not a mix."),
        ("code,population\nK1,1\n", "No figure for kecamatan K2."),
        ("code,population\nK1,1\nK1,2\n", "Line 3: district K1 appears twice."),
        ("code,population\nK1,x\nK2,1\n", "Line 2: population 'x' is not a whole number."),
        ("code,population\nK1,1\nZZ,1\n", "Unknown district code(s): ZZ."),
        (
            "name,population\nK1,1\n",
            "The file needs a code column (code, kecamatan_code or kelurahan_code).",
        ),
        ("code,population,year\nK1,1,2020\nK2,1,2021\n", "All rows must have the same year."),
        ("", "The file is empty."),
    ]:
        with pytest.raises(PopulationError) as info:
            parse_population_csv(text, kecamatan_codes=kec, kelurahan_codes=kel)
        assert str(info.value) == message


# --- the migrated surface -------------------------------------------------------------------


@pytest.mark.django_db
def test_migrated_database_has_the_census_surface():
    # the 2010 surface stays as the record; the current one (newest) is SP2020's (issue 18)
    first, current = PopulationSource.objects.order_by("id")
    assert (first.level, first.year) == ("kecamatan", 2010)
    source = PopulationSource.objects.first()  # ordering: newest first
    assert source == current
    assert (source.level, source.year, source.cell_size_m) == ("kecamatan", 2020, 250.0)
    assert source.label == (
        "BPS Kota Depok, Sensus Penduduk 2020 (city total 2,056,335), per kecamatan by SP2010 "
        "shares, 2020, per kecamatan, spread by area over 250 m cells"
    )
    cells = PopulationCell.objects.filter(source=source)
    assert cells.count() == source.cell_count == PopulationCell.objects.count() == 4656
    assert cells.aggregate(Max("area_m2"))["area_m2__max"] <= 62_500 + 1e-6
    assert round(cells.aggregate(Sum("area_m2"))["area_m2__sum"] / 1e6, 3) == 199.772
    assert round(source.total_population) == boundaries.CITY_POPULATION_2020 == 2_056_335
    # each kecamatan's figure is spread over exactly its own cells
    totals = dict(cells.values_list("kecamatan_id").annotate(total=Sum("population")))
    for code, figure in boundaries.population_2020().items():
        assert math.isclose(totals[code], figure["total"], rel_tol=1e-12)
    # every cell's kelurahan belongs to the cell's kecamatan
    parents = dict(District.objects.filter(level="kelurahan").values_list("code", "parent_id"))
    assert all(
        parents[kel] == kec for kel, kec in cells.values_list("kelurahan_id", "kecamatan_id")
    )


def write(tmp_path, text: str):
    path = tmp_path / "figures.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_import_population_per_kelurahan_rebuilds_the_cells(tmp_path, make_asset):
    # given: 1,000 residents in every kelurahan, 2020
    office = make_asset(use="office")
    lines = ["code,population"] + [f"{code},1000" for code in sorted(KELURAHAN)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    # when
    call_command(
        "import_population",
        path,
        "--year",
        "2020",
        "--source",
        "Dukcapil 2020",
        stdout=open("/dev/null", "w"),
    )
    # then
    source = PopulationSource.objects.order_by("-id").first()
    assert (source.level, source.year, source.source) == ("kelurahan", 2020, "Dukcapil 2020")
    assert PopulationCell.objects.count() == 4656
    assert set(PopulationCell.objects.values_list("source_id", flat=True)) == {source.pk}
    totals = dict(
        PopulationCell.objects.values_list("kelurahan_id").annotate(total=Sum("population"))
    )
    assert all(math.isclose(value, 1000, rel_tol=1e-12) for value in totals.values())
    assert District.objects.get(code=sorted(KELURAHAN)[0]).population == 1000
    pancoran_mas_kelurahan = District.objects.filter(parent_id="32.76.01").count()
    assert District.objects.get(code="32.76.01").population == 1000 * pancoran_mas_kelurahan
    assert District.objects.get(code="32.76.01").population_year == 2020
    # and the assessment names the new source
    from assets_app.repurposing import asset_assessment

    assert asset_assessment(asset=office)["population_source"] == (
        "Dukcapil 2020, 2020, per kelurahan, spread by area over 250 m cells"
    )


@pytest.mark.django_db
def test_import_population_reads_the_shipped_file_format(tmp_path):
    path = write(tmp_path, boundaries.POPULATION_FILE.read_text(encoding="utf-8"))
    call_command("import_population", path, "--no-assess", stdout=open("/dev/null", "w"))
    source = PopulationSource.objects.order_by("-id").first()
    assert (source.level, source.year) == ("kecamatan", 2010)
    assert source.source == "Sensus Penduduk 2010 (SP2010), BPS - Hasil Olah Cepat"
    assert round(source.total_population) == 1_736_565


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "year: The year of the figures is required."),
        (["--year", "2020"], "source: The source of the figures is required."),
    ],
)
def test_import_population_requires_year_and_source(tmp_path, args, message):
    lines = ["code,population"] + [f"{code},5" for code in sorted(KECAMATAN)]
    path = write(tmp_path, "\n".join(lines))
    with pytest.raises(CommandError) as info:
        call_command("import_population", path, *args)
    assert str(info.value) == message
    assert PopulationSource.objects.count() == 2
    assert District.objects.get(code="32.76.01").population == 248_911


@pytest.mark.django_db
def test_import_population_refuses_incomplete_files(tmp_path):
    path = write(tmp_path, "code,population\n32.76.01,5\n")
    with pytest.raises(CommandError) as info:
        call_command("import_population", path, "--year", "2020", "--source", "x")
    assert str(info.value).startswith("No figure for kecamatan 32.76.02, 32.76.03")
    assert PopulationSource.objects.count() == 2
    with pytest.raises(CommandError):
        call_command("import_population", str(write(tmp_path, "")) + ".missing", "--year", "2020")


@pytest.mark.django_db
def test_build_population_cells_rebuilds_from_the_districts():
    call_command("build_population_cells", stdout=open("/dev/null", "w"))
    assert PopulationSource.objects.count() == 3
    assert PopulationSource.objects.first().year == 2020
    assert PopulationCell.objects.count() == 4656


@pytest.mark.django_db
def test_cells_are_built_on_first_use_when_missing():
    from geodata.selectors import population_surface

    PopulationCell.objects.all().delete()
    PopulationSource.objects.all().delete()
    surface = population_surface()
    assert len(surface.demand) == 4656
    assert PopulationCell.objects.count() == 4656


# --- service standards ----------------------------------------------------------------------


@pytest.mark.django_db
def test_service_standards_are_loaded_from_the_csv():
    rows = {
        s.facility_type: (s.use, s.radius_m, s.residents_per_facility)
        for s in ServiceStandard.objects.all()
    }
    assert rows == {
        "paud": ("education", 500.0, 1250),
        "sd": ("education", 1000.0, 1600),
        "smp": ("education", 1000.0, 4800),
        "sma": ("education", 3000.0, 4800),
        "posyandu": ("health", 500.0, 1250),
        "pustu": ("health", 1500.0, 30000),
        "puskesmas": ("health", 3000.0, 120000),
        "hospital": ("health", 5000.0, 240000),
    }
    sources = {s.facility_type: s.source for s in ServiceStandard.objects.all()}
    assert all(sources[t].startswith("SNI 03-1733-2004") for t in FACILITY_TYPES if t != "hospital")
    assert sources["hospital"] == "City-level planning assumption (not an SNI 03-1733-2004 value)"
    assert len(read_service_standards()) == 8


def test_facility_types_agree_with_the_asset_model():
    assert FACILITY_TYPES == tuple(FacilityType.values)


@pytest.mark.django_db
def test_changing_a_standard_keeps_history_and_moves_the_assessment(make_asset, make_user):
    from assets_app.repurposing import asset_assessment

    official = make_user("planner")
    sd = make_asset(use="education", facility_type="sd")
    standard = ServiceStandard.objects.get(facility_type="sd")
    standard.residents_per_facility = 200_000
    standard._history_user = official
    standard.save()
    assert [h.residents_per_facility for h in standard.history.all()] == [200_000, 1600]
    assert standard.history.first().history_user == official
    capacity = asset_assessment(asset=sd)["checks"][4]
    assert (capacity["rule"], capacity["needed"]) == ("capacity", 1)
