"""Reports (#17): KIB A, KIB C, property in use by third parties and changes of use in a period,
as PDF (opened by rendering a page with pdftoppm) and XLSX, with totals equal to the
database's."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.db.models import Sum
from openpyxl import load_workbook

from assets_app.models import Asset
from core.roles import ASSET_OFFICER, OUTLET_MANAGER, PLANNER, VENDOR
from outlets import services as outlet_services
from outlets.models import Lease, Offer
from outlets.nik import city_today
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs pdftoppm (poppler-utils)"),
]

URL = "/api/v1/reports"


@pytest.fixture
def register(make_asset, make_user):
    """Land and buildings of two agencies, an outlet with a lease, one approved change of use."""
    for i in range(7):
        make_asset(
            category="land",
            use="office",
            item_code="1.3.1.01.01.04.001",
            acquisition_year=2010,
            land_area_m2=100.0 + i,
            book_value=Decimal("1000000.25") * (i + 1),
            custodian_agency="DISDIK" if i % 2 else "BKD",
            name=f"Tanah <{i}> & co",  # markup characters in a PDF cell
        )
    for i in range(4):
        make_asset(
            category="building",
            use="office",
            item_code="1.3.3.01.01.01.001",
            building_area_m2=50.0 * (i + 1),
            book_value=Decimal("2500000.00"),
            custodian_agency="DINKES",
        )
    manager = make_user(OUTLET_MANAGER)
    vendor = make_vendor()
    outlet = make_outlet(make_asset, manager, stalls=(("K-01", "kiosk"),))
    round_ = make_round(manager, [outlet], status="open")
    apply(vendor, round_, (outlet, "kiosk"))
    outlet_services.round_close(round_=round_, user=manager)
    outlet_services.round_allocate(round_=round_, user=manager)
    outlet_services.offer_accept(
        offer=Offer.objects.get(application__round=round_), user=vendor.user
    )


def pdf_text(data: bytes, tmp_path) -> str:
    """Render page 1 to PNG (the PDF opens) and return the text of the whole document."""
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    (png,) = tmp_path.glob("page*.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 2000
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, timeout=60
    )
    return out.stdout.decode()


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def test_kib_reports_as_pdf_open_and_total_as_the_database(register, client_as, tmp_path):
    planner = client_as(PLANNER)
    for name, category, area in (
        ("kib_a", "land", "land_area_m2"),
        ("kib_c", "building", "building_area_m2"),
    ):
        response = planner.get(f"{URL}/{name}/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        folder = tmp_path / name
        folder.mkdir()
        text = " ".join(pdf_text(response.content, folder).split())
        assets = Asset.objects.filter(category=category)
        sums = assets.aggregate(area=Sum(area), value=Sum("book_value"))
        assert "PEMERINTAH KOTA DEPOK" in text
        assert f"Jumlah aset {assets.count()}" in text
        assert f"Jumlah harga (Rp) {money(sums['value'])}" in text
        assert f"Jumlah luas (M2) {sums['area']:,.2f}" in text


def test_kib_a_for_one_agency_as_xlsx(register, client_as):
    response = client_as(ASSET_OFFICER).get(f"{URL}/kib_a/?output=xlsx&agency=DISDIK")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "PEMERINTAH KOTA DEPOK"
    assert rows[2][0] == "OPD: DISDIK"
    data = [r for r in rows[5:] if isinstance(r[0], int)]
    disdik = Asset.objects.filter(category="land", custodian_agency_id="DISDIK")
    assert [r[3] for r in data] == ["0001", "0002", "0003"]
    totals = {r[0]: r[1] for r in rows if r and r[0] and str(r[0]).startswith("Jumlah")}
    assert totals == {
        "Jumlah aset": disdik.count(),
        "Jumlah luas (M2)": disdik.aggregate(s=Sum("land_area_m2"))["s"],
        "Jumlah harga (Rp)": float(disdik.aggregate(s=Sum("book_value"))["s"]),
    }


def test_property_in_use_lists_the_leases_in_force(register, client_as, tmp_path):
    response = client_as(PLANNER).get(f"{URL}/utilised/")
    text = " ".join(pdf_text(response.content, tmp_path).split())
    leases = Lease.objects.all()
    assert leases.count() == 1
    fees = leases.aggregate(s=Sum("monthly_fee"))["s"]
    assert f"Jumlah sewa {leases.count()}" in text
    assert f"Jumlah sewa per bulan (Rp) {money(fees)}" in text
    assert leases.get().stall.code in text
    # Before the lease was signed there was none in force.
    before = client_as(PLANNER).get(f"{URL}/utilised/?output=xlsx&on=2000-01-01")
    rows = list(load_workbook(io.BytesIO(before.content)).active.iter_rows(values_only=True))
    assert ("Jumlah sewa", 0) in [r[:2] for r in rows]


def test_changes_of_use_in_a_period(register, client_as, tmp_path):
    today = city_today()
    planner = client_as(PLANNER)
    response = planner.get(f"{URL}/changes_of_use/?from={today}&to={today}")
    assert response.status_code == 200
    text = " ".join(pdf_text(response.content, tmp_path).split())
    # make_outlet approved one reclassification today (the outlet's asset).
    assert "Jumlah perubahan 1" in text
    as_xlsx = planner.get(f"{URL}/changes_of_use/?from={today}&to={today}&output=xlsx")
    rows = list(load_workbook(io.BytesIO(as_xlsx.content)).active.iter_rows(values_only=True))
    (decided,) = [r for r in rows if r[0] == 1]
    assert decided[4:7] == ("BKD", "DKUM", "SK 028/123/Kpts/2026")
    assert (decided[7].date(), decided[8]) == (datetime.date(2026, 3, 2), "BAST 028/45/2026")
    earlier = today - datetime.timedelta(days=30)
    empty = planner.get(f"{URL}/changes_of_use/?from={earlier}&to={earlier}&output=xlsx")
    rows = list(load_workbook(io.BytesIO(empty.content)).active.iter_rows(values_only=True))
    assert ("Jumlah perubahan", 0) in [r[:2] for r in rows]


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("", ["from", "to"]),
        ("?from=2026-01-01", ["to"]),
        ("?from=2026-02-01&to=2026-01-01", ["to"]),
        ("?from=yesterday&to=2026-01-01", ["from"]),
        ("?from=2026-01-01&to=2026-01-02&output=docx", ["output"]),
        ("?from=2026-01-01&to=2026-01-02&agency=NOPE", ["agency"]),
    ],
)
def test_bad_report_queries_name_the_parameter(client_as, query, fields):
    response = client_as(PLANNER).get(f"{URL}/changes_of_use/{query}")
    assert response.status_code == 400
    assert sorted(response.json()) == fields


def test_reports_are_for_staff(api_client, client_as):
    assert api_client.get(f"{URL}/kib_a/").status_code == 401
    assert client_as(VENDOR).get(f"{URL}/kib_a/").status_code == 403
