"""The reference-facility importer on real-shaped (synthetic) files, and on bad ones."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from facilities.importing import (
    LOOKS_LIKE_MARKUP,
    NOT_A_POINT,
    NOT_GEOJSON,
    NOT_POSITIVE_WHOLE,
    OUTSIDE_AREA,
    TOO_LARGE,
    UNKNOWN_CATEGORY,
)
from facilities.models import NPSN_SHAPE, ReferenceFacility
from facilities.services import facilities_import

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SOURCE = "Synthetic rows shaped like Data Referensi Pendidikan (test)"


def test_csv_of_schools_maps_categories_and_providers():
    # when
    report = facilities_import(
        file=(DATA / "sekolah_depok_synthetic.csv").read_bytes(),
        fmt="csv",
        user=None,
        source=SOURCE,
    )
    # then
    assert report == {
        "rows": 7,
        "created": 6,
        "updated": 0,
        "unchanged": 0,
        "skipped": 1,
        "errors": [],
        "reassessed": 0,
    }
    got = {
        f.national_id: (f.kind, f.category, f.facility_type, f.provider, f.kecamatan_id)
        for f in ReferenceFacility.objects.all()
    }
    assert got == {
        "99000001": ("school", "sd", "sd", "state", "32.76.06"),
        "99000002": ("school", "sd", "sd", "private", "32.76.09"),
        "99000003": ("school", "mi", "sd", "private", "32.76.03"),
        "99000004": ("school", "mts", "smp", "religious_ministry", "32.76.04"),
        "99000005": ("school", "smk", "sma", "province", "32.76.10"),
        "99000006": ("school", "tk", "paud", "private", "32.76.07"),
    }
    first = ReferenceFacility.objects.get(national_id="99000001")
    assert (first.capacity_students, first.capacity_rombel, first.kelurahan_id is not None) == (
        240,
        12,
        True,
    )
    assert (first.source, first.status, first.synthetic) == (SOURCE, "operating", False)
    assert first.history.count() == 1


def test_same_file_again_changes_nothing():
    data = (DATA / "sekolah_depok_synthetic.csv").read_bytes()
    facilities_import(file=data, fmt="csv", user=None, source=SOURCE)
    report = facilities_import(file=data, fmt="csv", user=None, source=SOURCE)
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 6)
    assert ReferenceFacility.objects.count() == 6


def test_geojson_of_schools_reads_the_point_geometry():
    report = facilities_import(
        file=(DATA / "sekolah_depok_synthetic.geojson").read_bytes(),
        fmt="geojson",
        user=None,
        source=SOURCE,
    )
    assert (report["rows"], report["created"], report["errors"]) == (4, 4, [])
    sd = ReferenceFacility.objects.get(national_id="99000001")
    assert (sd.lon, sd.lat, sd.kecamatan_id) == (106.81794, -6.37229, "32.76.06")


def test_kemenkes_list_maps_health_categories():
    report = facilities_import(
        file=(DATA / "faskes_depok_synthetic.csv").read_bytes(),
        fmt="csv",
        user=None,
        source="Synthetic rows shaped like the Kemenkes facility list (test)",
    )
    assert (report["created"], report["skipped"], report["errors"]) == (3, 1, [])
    got = {
        f.national_id: (f.kind, f.facility_type, f.provider, f.capacity_beds)
        for f in ReferenceFacility.objects.all()
    }
    assert got == {
        "P3276990101": ("health", "puskesmas", "state", None),
        "3276990": ("health", "hospital", "private", 150),
        "K3276990003": ("health", "pustu", "private", None),
    }


def test_html_named_csv_is_refused_as_a_file():
    with pytest.raises(ValidationError) as caught:
        facilities_import(
            file=b"<!DOCTYPE html><html><body>NPSN,Nama</body></html>",
            fmt="csv",
            user=None,
            source=SOURCE,
        )
    assert caught.value.message_dict == {"file": [str(LOOKS_LIKE_MARKUP).format(fmt="CSV")]}
    assert ReferenceFacility.objects.count() == 0


def test_csv_given_as_geojson_is_refused():
    with pytest.raises(ValidationError) as caught:
        facilities_import(
            file=(DATA / "sekolah_depok_synthetic.csv").read_bytes(),
            fmt="geojson",
            user=None,
            source=SOURCE,
        )
    assert caught.value.message_dict == {"file": [str(NOT_GEOJSON)]}


HEADER = "NPSN,Nama,Bentuk Pendidikan,Status Sekolah,Alamat,Lintang,Bujur,Peserta Didik\n"
GOOD = "99000001,SD A (sintetis),SD,Negeri,-,-6.37229,106.81794,100\n"


def test_bad_rows_name_row_and_column_and_nothing_is_written():
    data = (
        HEADER
        + GOOD
        + "1234567,SD B (sintetis),SD,Swasta,-,-6.37229,106.81794,\n"
        + "99000003,SD C (sintetis),SD,Swasta,-,106.81794,-6.37229,\n"
        + "99000004,SD D (sintetis),Sekolah Rakyat,Swasta,-,-6.37,106.81,0\n"
    ).encode()
    report = facilities_import(file=data, fmt="csv", user=None, source=SOURCE)
    assert report["errors"] == [
        {"row": 2, "column": "NPSN", "message": str(NPSN_SHAPE)},
        {
            "row": 3,
            "column": "Bujur",
            "message": str(OUTSIDE_AREA).format(lon=-6.37229, lat=106.81794),
        },
        {
            "row": 4,
            "column": "Bentuk Pendidikan",
            "message": str(UNKNOWN_CATEGORY).format(value="Sekolah Rakyat"),
        },
        {"row": 4, "column": "Peserta Didik", "message": str(NOT_POSITIVE_WHOLE)},
    ]
    assert report["created"] == 0
    assert ReferenceFacility.objects.count() == 0


def test_management_command_imports_a_file(tmp_path, capsys):
    call_command(
        "import_facilities", str(DATA / "faskes_depok_synthetic.csv"), "--source", "test list"
    )
    assert ReferenceFacility.objects.count() == 3
    assert "created 3" in capsys.readouterr().out


def test_a_file_over_the_size_limit_is_refused_unread(settings):
    settings.FACILITIES_IMPORT_MAX_BYTES = 100
    data = (DATA / "sekolah_depok_synthetic.csv").read_bytes()
    assert len(data) > 100
    with pytest.raises(ValidationError) as caught:
        facilities_import(file=data, fmt="csv", user=None, source=SOURCE)
    assert caught.value.message_dict == {"file": [str(TOO_LARGE).format(limit=100)]}
    assert ReferenceFacility.objects.count() == 0


def test_geojson_with_a_polygon_names_the_geometry():
    document = (
        b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        b'{"NPSN": "99000001", "Nama": "SD A", "Bentuk Pendidikan": "SD", "Status Sekolah": '
        b'"Swasta"}, "geometry": {"type": "Polygon", "coordinates": [[[106.8, -6.4], '
        b"[106.81, -6.4], [106.81, -6.41], [106.8, -6.4]]]}}]}"
    )
    report = facilities_import(file=document, fmt="geojson", user=None, source=SOURCE)
    assert report["errors"] == [{"row": 1, "column": "geometry", "message": str(NOT_A_POINT)}]
    assert ReferenceFacility.objects.count() == 0
