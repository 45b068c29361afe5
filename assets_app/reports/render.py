"""A `Report` as XLSX (openpyxl) or PDF (reportlab), each with the city's header: the city,
the report's title and scope, and when it was made (Depok time)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from assets_app.reports.data import Report
from core.spreadsheet import xlsx_row

CITY = "PEMERINTAH KOTA DEPOK"
CITY_LINE = "Provinsi Jawa Barat: Barang Milik Daerah"


def _made(report: Report) -> str:
    local = timezone.localtime(report.made_at, timezone.get_default_timezone())
    return f"Dibuat {local:%Y-%m-%d %H:%M} WIB dari basis data"


def text(value) -> str:
    """How a cell reads in the PDF: rupiah and areas with thousands separators."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def report_xlsx(report: Report) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = report.name[:31]
    bold = Font(bold=True)
    for line in (CITY, report.title, report.subtitle, _made(report)):
        sheet.append([line])
        sheet.cell(row=sheet.max_row, column=1).font = bold
    sheet.append(report.headings)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in report.rows:
        sheet.append(xlsx_row(float(v) if isinstance(v, Decimal) else v for v in row))
    sheet.append([])
    for label, value in report.totals.items():
        sheet.append([label, float(value) if isinstance(value, Decimal) else value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_pdf(report: Report) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=report.title,
        author=CITY,
    )
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=7, leading=8.5)
    story = [
        Paragraph(f"<b>{CITY}</b>", styles["Title"]),
        Paragraph(CITY_LINE, styles["Normal"]),
        Paragraph(f"<b>{report.title}</b>", styles["Heading2"]),
        Paragraph(escape(f"{report.subtitle}. {_made(report)}."), styles["Normal"]),
        Spacer(1, 4 * mm),
    ]
    # Cell text is escaped: reportlab reads a paragraph as markup (an asset named "<b" would
    # otherwise break the page).
    header = [Paragraph(f"<b>{escape(h)}</b>", small) for h in report.headings]
    body = [[Paragraph(escape(text(v)), small) for v in row] for row in report.rows]
    table = Table([header, *body], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 4 * mm))
    totals = Table([[label, text(value)] for label, value in report.totals.items()])
    totals.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), "Helvetica-Bold")]))
    story.append(totals)
    doc.build(story)
    return out.getvalue()
