"""Import (API and command) and export (API and command) of the asset register."""

import csv
import io
import json

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

import geopandas
import pyogrio
from shapely.geometry import Point

from assets_app.importing import DUPLICATE_IN_FILE, UNKNOWN_COLUMN
from assets_app.models import Asset
from assets_app.services import OUTSIDE_DEPOK, REGISTER_CODE_TAKEN, asset_clean_value
from core.roles import ASSET_OFFICER, PLANNER, VENDOR

pytestmark = pytest.mark.django_db

IMPORT_URL = "/api/v1/assets/import/"
EXPORT_URL = "/api/v1/assets/export/"
HEADER = ["register_code", "name", "category", "use", "facility_type", "land_area_m2", "lon", "lat"]


def csv_bytes(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def thousand_rows(bad_row: int | None = None):
    rows = []
    for i in range(1, 1001):
        lon = 106.80 + (i % 40) * 0.001
        lat = -6.38 + (i // 40) * 0.0005
        use = "casino" if i == bad_row else "education"
        rows.append([f"IMP-{i:04d}", f"Sekolah {i}", "land", use, "sd", "250.5", lon, lat])
    return rows


def field_message(name, value) -> str:
    """The model field's own message for a bad value, in the language the API answers in."""
    with translation.override(settings.LANGUAGE_CODE), pytest.raises(ValidationError) as caught:
        asset_clean_value(name, value)
    return caught.value.messages[0]


def upload(client, content: bytes, name="assets.csv", **fields):
    data = {"file": SimpleUploadedFile(name, content), **fields}
    return client.post(IMPORT_URL, data, format="multipart")


# --- import -------------------------------------------------------------------------------------


def test_import_row_500_of_1000_bad_writes_nothing(client_as):
    response = upload(client_as(ASSET_OFFICER), csv_bytes(thousand_rows(bad_row=500)))
    assert response.status_code == 400
    assert response.json() == {
        "rows": 1000,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "errors": [
            {
                "row": 500,
                "field": "use",
                "message": field_message("use", "casino"),
            }
        ],
        "dry_run": False,
    }
    assert Asset.objects.count() == 0
    assert Asset.history.count() == 0


def test_import_1000_rows_with_history(client_as, make_user):
    officer = make_user(ASSET_OFFICER, username="siti")
    response = upload(client_as(user=officer), csv_bytes(thousand_rows()))
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "rows": 1000,
        "created": 1000,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "dry_run": False,
    }
    assert Asset.objects.count() == 1000
    first = Asset.objects.get(register_code="IMP-0001")
    assert (first.lon, first.lat, first.land_area_m2) == (106.801, -6.38, 250.5)
    assert first.kelurahan_id is not None
    assert first.kecamatan_id == first.kelurahan_id[:8]
    assert Asset.history.filter(history_type="+", history_user=officer).count() == 1000


def test_dry_run_writes_nothing(client_as):
    response = upload(client_as(ASSET_OFFICER), csv_bytes(thousand_rows()[:10]), dry_run="true")
    assert response.status_code == 200
    assert response.json()["created"] == 10
    assert response.json()["dry_run"] is True
    assert Asset.objects.count() == 0


def test_import_reports_every_bad_row_by_field(client_as, make_asset):
    make_asset(register_code="TAKEN")
    rows = [
        ["OK-1", "Fine", "land", "education", "sd", "100", 106.81, -6.37],
        ["TAKEN", "Exists", "land", "office", "", "", 106.81, -6.37],
        ["OK-1", "Twice", "land", "office", "", "", 106.81, -6.37],
        ["OUT", "Jakarta", "land", "office", "", "", 106.8456, -6.2088],
        ["NEG", "Negative", "land", "office", "", "-3", 106.81, -6.37],
        ["MIX", "Mismatch", "building", "health", "sd", "", 106.81, -6.37],
        ["", "No code", "land", "office", "", "", "east", -6.37],
    ]
    response = upload(client_as(ASSET_OFFICER), csv_bytes(rows))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [
        (2, "register_code"),
        (3, "register_code"),
        (4, "geometry"),
        (5, "land_area_m2"),
        (6, "facility_type"),
        (7, "lon"),
        (7, "register_code"),
    ]
    assert errors[0]["message"] == str(REGISTER_CODE_TAKEN)
    assert errors[1]["message"] == str(DUPLICATE_IN_FILE).format(code="OK-1", row=1)
    assert errors[2]["message"] == str(OUTSIDE_DEPOK)
    assert Asset.objects.count() == 1


def test_import_with_wkt_column_and_unknown_column(client_as):
    header = ["register_code", "name", "category", "use", "wkt", "colour"]
    rows = [["W-1", "Plot", "land", "vacant", "POINT (106.81 -6.37)", "red"]]
    response = upload(client_as(ASSET_OFFICER), csv_bytes(rows, header))
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": None, "field": "colour", "message": str(UNKNOWN_COLUMN)}
    ]
    header = header[:-1]
    rows = [
        [
            "W-1",
            "Plot",
            "land",
            "vacant",
            "POLYGON ((106.81 -6.37, 106.811 -6.37, 106.811 -6.371, 106.81 -6.37))",
        ],
        [
            "W-2",
            "Bowtie",
            "land",
            "vacant",
            "POLYGON ((106.81 -6.37, 106.812 -6.372, 106.812 -6.37, 106.81 -6.372, 106.81 -6.37))",
        ],
        ["W-3", "Broken", "land", "vacant", "POLYGON ((106.81"],
    ]
    response = upload(client_as(ASSET_OFFICER), csv_bytes(rows, header))
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "row": 2,
            "field": "geometry",
            "message": "Invalid geometry: Self-intersection[106.811 -6.371].",
        },
        {"row": 3, "field": "wkt", "message": "Not valid WKT."},
    ]
    assert Asset.objects.count() == 0
    ok = upload(client_as(ASSET_OFFICER), csv_bytes(rows[:1], header))
    assert ok.status_code == 200
    assert Asset.objects.get().geometry["type"] == "Polygon"


def test_import_update_upserts_by_register_code(client_as, make_asset):
    make_asset(register_code="IMP-0001", name="Old name", land_area_m2=10)
    client = client_as(ASSET_OFFICER)
    rows = thousand_rows()[:3]
    refused = upload(client, csv_bytes(rows))
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {"row": 1, "field": "register_code", "message": str(REGISTER_CODE_TAKEN)}
    ]
    response = upload(client, csv_bytes(rows), update="true")
    assert response.status_code == 200
    assert (response.json()["created"], response.json()["updated"]) == (2, 1)
    asset = Asset.objects.get(register_code="IMP-0001")
    assert (asset.name, asset.land_area_m2, asset.use) == ("Sekolah 1", 250.5, "education")
    assert asset.history.count() == 2
    again = upload(client, csv_bytes(rows), update="true")
    assert again.json()["unchanged"] == 3
    assert asset.history.count() == 2


def test_import_unreadable_or_unsupported_file_is_400_naming_file(client_as):
    client = client_as(ASSET_OFFICER)
    response = upload(client, b"garbage", name="assets.xlsx")
    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    response = upload(client, b"not a geopackage", name="assets.gpkg")
    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    response = upload(client, csv_bytes([["A", "B", "land", "office", "", "", "", ""]], HEADER[:4]))
    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    missing = client.post(IMPORT_URL, {}, format="multipart")
    assert missing.status_code == 400
    assert list(missing.json()) == ["file"]
    assert Asset.objects.count() == 0


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 401), (VENDOR, 403), (PLANNER, 403)])
def test_only_officers_import(role_clients, role, expected):
    response = upload(role_clients[role], csv_bytes(thousand_rows()[:2]))
    assert response.status_code == expected
    assert Asset.objects.count() == 0


def test_import_geopackage_and_geojson(client_as, tmp_path):
    frame = geopandas.GeoDataFrame(
        {
            "register_code": ["G-1", "G-2"],
            "name": ["Posyandu Mawar", "Lapangan"],
            "category": ["land", "land"],
            "use": ["health", "sports"],
            "facility_type": ["posyandu", None],
            "floors": [1, None],
            "concrete": [True, None],
        },
        geometry=[Point(106.81, -6.37), Point(106.82, -6.38)],
        crs="EPSG:4326",
    )
    gpkg = tmp_path / "a.gpkg"
    frame.to_file(gpkg, driver="GPKG", engine="pyogrio")
    client = client_as(ASSET_OFFICER)
    response = upload(client, gpkg.read_bytes(), name="a.gpkg")
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 2
    posyandu = Asset.objects.get(register_code="G-1")
    assert (posyandu.facility_type, posyandu.floors, posyandu.concrete) == ("posyandu", 1, True)
    assert Asset.objects.get(register_code="G-2").facility_type == ""
    # the same data in another CRS (UTM 48S) is brought back to lon/lat
    geojson = tmp_path / "b.geojson"
    frame.assign(register_code=["G-3", "G-4"]).to_crs(32748).to_file(geojson, driver="GeoJSON")
    response = upload(client, geojson.read_bytes(), name="b.geojson")
    assert response.status_code == 200, response.json()
    moved = Asset.objects.get(register_code="G-3")
    assert moved.geometry["coordinates"] == pytest.approx([106.81, -6.37], abs=1e-7)


def test_import_command(tmp_path, make_user):
    make_user(ASSET_OFFICER, username="siti")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(thousand_rows(bad_row=500)))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_assets", str(bad), stdout=out)
    assert json.loads(out.getvalue())["errors"][0]["row"] == 500
    assert Asset.objects.count() == 0
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(thousand_rows()))
    out = io.StringIO()
    call_command("import_assets", str(good), "--dry-run", stdout=out)
    assert json.loads(out.getvalue())["created"] == 1000
    assert Asset.objects.count() == 0
    call_command("import_assets", str(good), "--user", "siti", stdout=io.StringIO())
    assert Asset.objects.count() == 1000
    assert Asset.history.filter(history_user__username="siti").count() == 1000
    out = io.StringIO()
    call_command("import_assets", str(good), "--update", stdout=out)
    assert json.loads(out.getvalue())["unchanged"] == 1000


# --- export and the round trip ------------------------------------------------------------------


def visible(client):
    """The register as the API shows it, minus what a re-import cannot keep (ids, times)."""
    items = client.get("/api/v1/assets/", {"limit": 1000}).json()["results"]
    skip = {"id", "created_at", "updated_at", "repurposable"}
    return sorted(
        ({k: v for k, v in item.items() if k not in skip} for item in items),
        key=lambda item: item["register_code"],
    )


@pytest.fixture
def register(make_asset):
    make_asset(
        register_code="RT-1",
        name='SDN "Kukusan", 1',
        use="education",
        facility_type="sd",
        item_code="1.3.3.01.01.01.001",
        custodian="Dinas Pendidikan",
        address="Jl. Kukusan\nNo. 1",
        land_area_m2=1234.5,
        building_area_m2=800.25,
        floors=2,
        concrete=True,
        condition="minor_damage",
        title_type="hak_pakai",
        title_number="12/2019",
        title_date="2019-03-04",
        origin="grant",
        acquisition_year=2001,
        book_value="98765432109.99",
        status="underused",
        notes="Catatan: ünïcode ✓",
    )
    make_asset(
        register_code="RT-2",
        name="Lahan kosong",
        category="land",
        use="vacant",
        land_area_m2=None,
        concrete=False,
        geometry={
            "type": "Polygon",
            "coordinates": [
                [
                    [106.8191234, -6.3731234],
                    [106.8212345, -6.3731234],
                    [106.8212345, -6.3712345],
                    [106.8191234, -6.3731234],
                ]
            ],
        },
    )
    make_asset(
        register_code="RT-3",
        name="Two plots",
        category="land",
        use="sports",
        geometry={
            "type": "MultiPolygon",
            "coordinates": [
                [[[106.81, -6.37], [106.811, -6.37], [106.811, -6.371], [106.81, -6.37]]],
                [[[106.82, -6.38], [106.821, -6.38], [106.821, -6.381], [106.82, -6.38]]],
            ],
        },
    )
    make_asset(register_code="RT-4", name="Posyandu", use="health", facility_type="posyandu")


@pytest.mark.parametrize(
    ("file_format", "media_type"),
    [
        ("csv", "text/csv"),
        ("geojson", "application/geo+json"),
        ("gpkg", "application/geopackage+sqlite3"),
    ],
)
def test_round_trip_through_each_export_format(client_as, register, file_format, media_type):
    officer = client_as(ASSET_OFFICER)
    before = visible(officer)
    assert len(before) == 4

    response = officer.get(EXPORT_URL, {"format": file_format})

    assert response.status_code == 200
    assert response["Content-Type"] == media_type
    assert response["Content-Disposition"] == f'attachment; filename="assets.{file_format}"'
    content = response.getvalue()  # streamed: read before the register is emptied
    Asset.objects.all().delete()
    imported = upload(officer, content, name=f"assets.{file_format}")
    assert imported.status_code == 200, imported.json()
    assert imported.json()["created"] == 4
    assert visible(officer) == before


def test_export_applies_the_list_filters(client_as, register):
    planner = client_as(PLANNER)
    response = planner.get(EXPORT_URL, {"format": "csv", "use": "education,health"})
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    assert [r["register_code"] for r in rows] == ["RT-1", "RT-4"]
    assert rows[0]["wkt"] == "POINT (106.81794 -6.37229)"
    assert rows[0]["kelurahan_code"] == "32.76.06.1002"
    geo = planner.get(EXPORT_URL, {"format": "geojson", "bbox": "106.819,-6.374,106.822,-6.371"})
    # RT-3's bbox covers the box, but neither of its two plots reaches into it
    assert [f["id"] for f in json.loads(geo.getvalue())["features"]] == ["RT-2"]


def test_export_default_is_csv_and_bad_values_are_400(client_as, register):
    planner = client_as(PLANNER)
    assert planner.get(EXPORT_URL)["Content-Type"] == "text/csv"
    response = planner.get(EXPORT_URL, {"format": "xlsx"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"format": ["Unknown format 'xlsx'; use one of: csv, geojson, gpkg."]}
    bad_filter = planner.get(EXPORT_URL, {"format": "gpkg", "bbox": "1,2"})
    assert bad_filter.status_code == 400
    assert list(bad_filter.json()) == ["bbox"]


@pytest.mark.parametrize("file_format", ["csv", "geojson", "gpkg"])
def test_export_command_round_trip(register, tmp_path, file_format):
    path = tmp_path / f"out.{file_format}"
    call_command(
        "export_assets", "--format", file_format, "--output", str(path), stdout=io.StringIO()
    )
    before = {
        a.register_code: (a.geometry, a.book_value, a.kelurahan_id) for a in Asset.objects.all()
    }
    Asset.objects.all().delete()
    call_command("import_assets", str(path), stdout=io.StringIO())
    after = {
        a.register_code: (a.geometry, a.book_value, a.kelurahan_id) for a in Asset.objects.all()
    }
    assert after == before


def test_export_of_nothing(client_as, tmp_path):
    planner = client_as(PLANNER)
    assert planner.get(EXPORT_URL).getvalue().decode().splitlines()[0].startswith("register_code,")
    assert json.loads(planner.get(EXPORT_URL, {"format": "geojson"}).getvalue()) == {
        "type": "FeatureCollection",
        "features": [],
    }
    gpkg = planner.get(EXPORT_URL, {"format": "gpkg"})
    assert gpkg.status_code == 200
    path = tmp_path / "empty.gpkg"
    path.write_bytes(gpkg.getvalue())
    assert pyogrio.read_info(path)["features"] == 0
