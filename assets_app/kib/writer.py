"""Writing KIB A or KIB C as an XLSX workbook: a title, the agency and the date it was made,
the headings, then one row per asset, read from the database when asked."""

from __future__ import annotations

import io
from decimal import Decimal

import orjson
from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

import shapely

from assets_app.kib.columns import KIB_COLUMNS, KIB_TITLES
from assets_app.kode_barang import item_codes
from assets_app.models import Asset
from core.spreadsheet import xlsx_row

CITY = "PEMERINTAH KOTA DEPOK"
# Excel holds 15 significant digits exactly; larger amounts are written as text.
EXACT_DIGITS = 15


def _money(value: Decimal | None):
    if value is None:
        return None
    digits = len(value.as_tuple().digits)
    return float(value) if digits <= EXACT_DIGITS else str(value)


def _value(asset: Asset, column, number: int):
    heading, name = column.heading, column.field
    if heading == "No":
        return number
    if heading == "Jenis Barang / Nama Barang":
        return item_codes().get(asset.item_code, "")
    if heading == "Konstruksi Bangunan: Bertingkat / Tidak":
        return "" if asset.floors is None else ("Bertingkat" if asset.floors > 1 else "Tidak")
    if heading == "Kode Lokasi":
        return asset.custodian_agency.location_code if asset.custodian_agency else ""
    if name == "geometry":
        return shapely.to_wkt(
            shapely.from_geojson(orjson.dumps(asset.geometry)), rounding_precision=-1
        )
    if name == "custodian_agency":
        return asset.custodian_agency_id or ""
    value = getattr(asset, name)
    if name == "register_number" and value is not None:
        return f"{value:04d}"
    if name == "book_value":
        return _money(value)
    if column.words:
        return column.words.get(value, "" if value is None else value)
    return value


def kib_export(*, queryset: QuerySet[Asset], kind: str, agency: str = "") -> bytes:
    """The assets of `queryset` (in id order) as a KIB `kind` workbook."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"KIB {kind}")
    columns = KIB_COLUMNS[kind]
    made = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    sheet.append([CITY])
    sheet.append([KIB_TITLES[kind]])
    sheet.append([f"OPD: {agency or 'semua'}", f"Dibuat: {made} WIB"])
    bold = Font(bold=True)
    from openpyxl.cell import WriteOnlyCell

    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.heading)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    rows = queryset.select_related("custodian_agency").order_by("id")
    for number, asset in enumerate(rows.iterator(chunk_size=2000), start=1):
        sheet.append(xlsx_row(_value(asset, column, number) for column in columns))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
