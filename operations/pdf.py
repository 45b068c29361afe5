"""The kwitansi (receipt) of a payment as a one-page PDF, drawn with reportlab."""

from __future__ import annotations

import io
from decimal import Decimal

from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from operations.models import Payment

_UNITS = ["", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
          "sepuluh", "sebelas"]  # fmt: skip


def terbilang(n: int) -> str:
    """A whole number in Indonesian words, as a kwitansi writes the amount."""
    if n < 12:
        return _UNITS[n]
    if n < 20:
        return f"{terbilang(n - 10)} belas"
    if n < 100:
        return f"{terbilang(n // 10)} puluh {terbilang(n % 10)}".strip()
    if n < 200:
        return f"seratus {terbilang(n - 100)}".strip()
    if n < 1000:
        return f"{terbilang(n // 100)} ratus {terbilang(n % 100)}".strip()
    if n < 2000:
        return f"seribu {terbilang(n - 1000)}".strip()
    for size, word in ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu")):
        if n >= size:
            return f"{terbilang(n // size)} {word} {terbilang(n % size)}".strip()
    return ""


def rupiah(amount: Decimal) -> str:
    whole = f"{amount:,.2f}"
    return "Rp " + whole.replace(",", "_").replace(".", ",").replace("_", ".")


def receipt_pdf(payment: Payment) -> bytes:
    """The receipt: number, date, who paid, for which stall, the amount in figures and words."""
    lease = payment.lease
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=landscape(A5), invariant=1)
    page.setTitle(f"Kwitansi {payment.receipt_number}")
    width, height = landscape(A5)
    y = height - 20 * mm
    page.setFont("Helvetica-Bold", 16)
    page.drawString(20 * mm, y, "KWITANSI")
    page.setFont("Helvetica", 10)
    page.drawRightString(width - 20 * mm, y, f"No. {payment.receipt_number}")
    lines = [
        ("Telah terima dari", lease.vendor.business_name),
        ("Uang sejumlah", rupiah(payment.amount)),
        ("Terbilang", f"{terbilang(int(payment.amount))} rupiah".capitalize()),
        ("Untuk pembayaran", f"sewa/retribusi kios {lease.stall.code}, perjanjian {lease.pk}"),
        ("Referensi", payment.reference),
        ("Tanggal bayar", payment.paid_on.isoformat()),
    ]
    y -= 15 * mm
    for label, value in lines:
        page.setFont("Helvetica", 10)
        page.drawString(20 * mm, y, label)
        page.setFont("Helvetica-Bold", 10)
        page.drawString(60 * mm, y, str(value)[:90])
        y -= 8 * mm
    if hasattr(payment, "reversal"):
        page.setFont("Helvetica-Bold", 14)
        page.drawString(20 * mm, y - 4 * mm, "DIBATALKAN / REVERSED")
    page.showPage()
    page.save()
    return buffer.getvalue()
