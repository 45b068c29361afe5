"""KIB A and KIB C workbooks (#17): imports of 500+ rows, all or nothing with the bad row named,
every written asset assessed and numbered, and an export that imports back to the same
register."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from assets_app.kib import KIB_COLUMNS, kib_export, kib_import
from assets_app.kode_barang import ITEM_CODE_WRONG_CATEGORY
from assets_app.models import Asset
from core.roles import ASSET_OFFICER
from tests.conftest import BEJI_POINT, client_for

pytestmark = pytest.mark.django_db

ROWS = 520
BAD_ROW = 317  # 1-based data row


def _point(i: int) -> str:
    lon = BEJI_POINT[0] + (i % 26) * 0.0001
    lat = BEJI_POINT[1] + (i // 26) * 0.0001
    return f"POINT ({lon:.4f} {lat:.4f})"


def land_row(i: int) -> dict:
    return {
        "Kode Barang": "1.3.1.01.01.04.001" if i % 2 else "1.3.1.01.01.01.005",
        "Luas (M2)": 400 + i,
        "Tahun Pengadaan": 2000 + i % 20,
        "Letak / Alamat": f"Jl. Margonda No. {i}",
        "Status Tanah: Hak": "Hak Pakai",
        "Sertifikat: Nomor": f"10.{i}",
        "Penggunaan": "Perkantoran" if i % 3 else "Pendidikan",
        "Asal Usul": "Pembelian",
        "Harga (Rp)": 1_000_000 * i + 0.5,
        "Keterangan": "",
        "Kode Register Aset": f"A-{i:04d}",
        "Nama Aset": f"Tanah {i}",
        "Kode OPD": "DISDIK" if i % 3 == 0 else "BKD",
        "Jenis Fasilitas": "" if i % 3 else "sd",
        "Status": "Digunakan",
        "Geometri (WKT, EPSG:4326)": _point(i),
    }


def building_row(i: int) -> dict:
    return {
        "Kode Barang": "1.3.3.01.01.01.001",
        "Kondisi Bangunan (B, RR, RB)": ("B", "RR", "RB")[i % 3],
        "Konstruksi Bangunan: Beton / Tidak": "Beton" if i % 2 else "Tidak",
        "Luas Lantai (M2)": 120 + i,
        "Letak / Lokasi Alamat": f"Jl. Nusantara No. {i}",
        "Luas (M2)": 300,
        "Status Tanah": "Hak Pakai",
        "Nomor Kode Tanah": f"A-{i:04d}",
        "Asal Usul": "Hibah",
        "Harga (Rp)": 2_000_000 * i,
        "Kode Register Aset": f"C-{i:04d}",
        "Nama Aset": f"Gedung {i}",
        "Kode OPD": "BKD",
        "Tahun Pengadaan": 2010,
        "Jumlah Lantai": 1 + i % 3,
        "Penggunaan": "Perkantoran",
        "Status": "Digunakan",
        "Geometri (WKT, EPSG:4326)": _point(i),
    }


def workbook(kind: str, rows: list[dict], tmp_path) -> str:
    headings = [c.heading for c in KIB_COLUMNS[kind]]
    book = Workbook()
    sheet = book.active
    sheet.append([f"KIB {kind}"])  # a title above the headings, as the form has
    sheet.append(headings)
    for row in rows:
        sheet.append([row.get(h) for h in headings])
    path = tmp_path / f"kib_{kind}.xlsx"
    book.save(path)
    return str(path)


def snapshot() -> list[tuple]:
    fields = [
        "register_code", "item_code", "name", "category", "use", "facility_type",
        "custodian_agency_id", "register_number", "land_register_code", "address", "geometry",
        "kelurahan_id", "land_area_m2", "building_area_m2", "floors", "concrete", "condition",
        "title_type", "title_number", "title_date", "origin", "acquisition_year", "book_value",
        "status", "notes",
    ]  # fmt: skip
    return list(Asset.objects.order_by("register_code").values_list(*fields))


def test_kib_a_and_c_imports_of_520_rows_are_assessed_numbered_and_round_trip(tmp_path):
    # when: KIB A, then KIB C whose buildings stand on the land of KIB A
    land = kib_import(
        path=workbook("A", [land_row(i) for i in range(1, ROWS + 1)], tmp_path),
        kind="A",
        user=None,
    )
    buildings = kib_import(
        path=workbook("C", [building_row(i) for i in range(1, ROWS + 1)], tmp_path),
        kind="C",
        user=None,
    )
    # then
    assert (land["created"], land["errors"]) == (ROWS, [])
    assert (buildings["created"], buildings["errors"]) == (ROWS, [])
    assert Asset.objects.filter(category="land").count() == ROWS
    assert Asset.objects.filter(category="building").count() == ROWS
    # Every imported asset has its repurposing flag (#17 point 7).
    assert Asset.objects.filter(repurposable__isnull=True).count() == 0
    # Register numbers run per agency, kode barang and year, in the file's order.
    a1, a41 = Asset.objects.get(register_code="A-0001"), Asset.objects.get(register_code="A-0041")
    assert (a1.custodian_agency_id, a1.acquisition_year, a1.register_number) == ("BKD", 2001, 1)
    assert (a41.custodian_agency_id, a41.acquisition_year, a41.register_number) == ("BKD", 2001, 2)
    c = Asset.objects.get(register_code="C-0005")
    assert (c.condition, c.concrete, c.floors, c.land_register_code, c.register_number) == (
        "major_damage",  # RB
        True,
        3,
        "A-0005",
        5,
    )
    assert str(Asset.objects.get(register_code="A-0003").book_value) == "3000000.50"

    # when: both exported, the register emptied, and the exports imported back
    before = snapshot()
    files = {kind: kib_export(queryset=Asset.objects.filter(category=cat), kind=kind)
             for kind, cat in (("A", "land"), ("C", "building"))}  # fmt: skip
    # (an update of the same register changes nothing)
    for kind, data in files.items():
        path = tmp_path / f"export_{kind}.xlsx"
        path.write_bytes(data)
        report = kib_import(path=str(path), kind=kind, user=None, update=True)
        assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, ROWS)
    Asset.objects.all().delete()
    for kind in ("A", "C"):
        report = kib_import(path=str(tmp_path / f"export_{kind}.xlsx"), kind=kind, user=None)
        assert (report["created"], report["errors"]) == (ROWS, [])
    # then: the same register
    assert snapshot() == before


def test_one_bad_row_refuses_the_whole_kib_a_file_naming_it(tmp_path):
    rows = [land_row(i) for i in range(1, ROWS + 1)]
    rows[BAD_ROW - 1]["Kode Barang"] = "1.3.3.01.01.01.001"  # a building code on land
    report = kib_import(path=workbook("A", rows, tmp_path), kind="A", user=None)
    assert report["errors"] == [
        {
            "row": BAD_ROW,
            "field": "item_code",
            "message": str(ITEM_CODE_WRONG_CATEGORY).format(
                code="1.3.3.01.01.01.001", category="land"
            ),
        }
    ]
    assert report["created"] == 0
    assert Asset.objects.count() == 0


def test_one_bad_row_refuses_the_whole_kib_c_file_naming_it(tmp_path):
    rows = [building_row(i) for i in range(1, ROWS + 1)]
    for row in rows:
        del row["Nomor Kode Tanah"]  # no land in this register
    rows[BAD_ROW - 1]["Kondisi Bangunan (B, RR, RB)"] = "Hancur"
    report = kib_import(path=workbook("C", rows, tmp_path), kind="C", user=None)
    assert report["errors"] == [
        {"row": BAD_ROW, "field": "condition", "message": "Value 'Hancur' is not a valid choice."}
    ]
    assert report["created"] == 0
    assert Asset.objects.count() == 0


def test_the_api_exports_and_imports_kib_workbooks(make_user, tmp_path):
    officer = client_for(make_user(ASSET_OFFICER))
    with open(workbook("A", [land_row(i) for i in range(1, 4)], tmp_path), "rb") as fh:
        response = officer.post("/api/v1/kib/A/import/", {"file": fh}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 3
    exported = officer.get("/api/v1/kib/A/?agency=DISDIK")
    assert exported.status_code == 200
    assert exported["Content-Disposition"] == 'attachment; filename="KIB-A-DISDIK.xlsx"'
    sheet = load_workbook(io.BytesIO(exported.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "PEMERINTAH KOTA DEPOK"
    assert rows[3][:4] == ("No", "Jenis Barang / Nama Barang", "Kode Barang", "Nomor Register")
    # Only DISDIK's land: row 3 of the file.
    assert [(r[0], r[2], r[3]) for r in rows[4:]] == [(1, "1.3.1.01.01.04.001", "0001")]
    bad = officer.get("/api/v1/kib/A/?agency=NOPE")
    assert bad.status_code == 400
    assert list(bad.json()) == ["agency"]
    not_xlsx = officer.post(
        "/api/v1/kib/C/import/",
        {"file": io.BytesIO(b"<html></html>")},
        format="multipart",
    )
    assert not_xlsx.status_code == 400
    assert list(not_xlsx.json()) == ["file"]
