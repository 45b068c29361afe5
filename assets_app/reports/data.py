"""The reports an agency must produce, as plain tables read from the database when asked:
KIB A and KIB C, the property in use by third parties (daftar barang yang dimanfaatkan: the
outlets' stalls under a lease in force) and the changes of use decided in a period. Each is a
`Report` (title, headings, rows, a totals row); `assets_app.reports.render` writes it as XLSX or
PDF."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assets_app.kode_barang import item_codes
from assets_app.models import Asset, Category, Reclassification, ReclassificationStatus

REPORTS = ("kib_a", "kib_c", "utilised", "changes_of_use")


@dataclass
class Report:
    name: str
    title: str
    subtitle: str
    headings: list[str]
    rows: list[list]
    totals: dict[str, object] = field(default_factory=dict)  # label -> value
    made_at: datetime.datetime = field(default_factory=timezone.now)


def _agency_line(agency: str | None) -> str:
    return f"OPD: {agency}" if agency else "OPD: semua (seluruh perangkat daerah)"


def kib_report(*, category: str, agency: str | None = None) -> Report:
    assets = Asset.objects.filter(category=category).order_by(
        "custodian_agency_id", "item_code", "acquisition_year", "register_number", "id"
    )
    if agency:
        assets = assets.filter(custodian_agency_id=agency)
    names = item_codes()
    land = category == Category.LAND
    area = "land_area_m2" if land else "building_area_m2"
    rows = [
        [
            i,
            a.item_code,
            names.get(a.item_code, ""),
            "" if a.register_number is None else f"{a.register_number:04d}",
            a.name,
            a.custodian_agency_id or "",
            getattr(a, area),
            a.acquisition_year,
            a.address,
            a.book_value,
        ]
        for i, a in enumerate(assets, start=1)
    ]
    sums = assets.aggregate(n=Count("id"), area=Sum(area), value=Sum("book_value"))
    return Report(
        name="kib_a" if land else "kib_c",
        title=str(_("KIB A: Land")) if land else str(_("KIB C: Buildings and structures")),
        subtitle=_agency_line(agency),
        headings=[
            "No",
            "Kode Barang",
            "Nama Barang",
            "Nomor Register",
            "Nama Aset",
            "OPD",
            "Luas (M2)" if land else "Luas Lantai (M2)",
            "Tahun Pengadaan",
            "Letak / Alamat",
            "Harga (Rp)",
        ],
        rows=rows,
        totals={
            "Jumlah aset": sums["n"],
            "Jumlah luas (M2)": sums["area"] or 0.0,
            "Jumlah harga (Rp)": sums["value"] or Decimal("0.00"),
        },
    )


def utilised_report(*, agency: str | None = None, on: datetime.date | None = None) -> Report:
    """Stalls of the city's outlets under a lease in force on `on` (today in Depok): signed or
    active, started on or before that day and not yet at its end date."""
    from outlets.managers import IN_FORCE
    from outlets.models import Lease
    from outlets.nik import city_today

    on = on or city_today()
    leases = (
        Lease.objects.filter(status__in=IN_FORCE, start_date__lte=on, end_date__gt=on)
        .select_related("stall__outlet__asset", "vendor")
        .order_by("stall__outlet__asset__register_code", "stall__code", "id")
    )
    if agency:
        leases = leases.filter(stall__outlet__asset__custodian_agency_id=agency)
    rows = [
        [
            i,
            lease.stall.outlet.asset.register_code,
            lease.stall.outlet.name,
            lease.stall.code,
            lease.stall.area_m2,
            lease.vendor.business_name,
            lease.start_date,
            lease.end_date,
            lease.monthly_fee,
        ]
        for i, lease in enumerate(leases, start=1)
    ]
    sums = leases.aggregate(n=Count("id"), fees=Sum("monthly_fee"))
    return Report(
        name="utilised",
        title=str(_("Property in use by third parties (daftar barang yang dimanfaatkan)")),
        subtitle=f"{_agency_line(agency)}; per {on.isoformat()}",
        headings=[
            "No",
            "Kode Register Aset",
            "Gerai",
            "Kios",
            "Luas (M2)",
            "Pemanfaat (usaha)",
            "Mulai",
            "Berakhir",
            "Sewa per bulan (Rp)",
        ],
        rows=rows,
        totals={
            "Jumlah sewa": sums["n"],
            "Jumlah sewa per bulan (Rp)": sums["fees"] or Decimal("0.00"),
        },
    )


def changes_of_use_report(
    *, start: datetime.date, end: datetime.date, agency: str | None = None
) -> Report:
    """Reclassifications approved from `start` to `end` (dates in Depok, both included)."""
    zone = timezone.get_default_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, zone)
    decided = (
        Reclassification.objects.filter(
            status=ReclassificationStatus.APPROVED, decided_at__gte=since, decided_at__lt=until
        )
        .select_related("asset")
        .order_by("decided_at", "id")
    )
    if agency:
        decided = decided.filter(from_agency_id=agency)
    rows = [
        [
            i,
            r.asset.register_code,
            r.asset.name,
            r.previous_use,
            r.from_agency_id or "",
            r.to_agency_id or "",
            r.decree_number,
            r.decree_date,
            r.handover_number,
            timezone.localtime(r.decided_at, zone).date(),
        ]
        for i, r in enumerate(decided, start=1)
    ]
    return Report(
        name="changes_of_use",
        title=str(_("Changes of use (alih status penggunaan)")),
        subtitle=f"{_agency_line(agency)}; {start.isoformat()} s.d. {end.isoformat()}",
        headings=[
            "No",
            "Kode Register Aset",
            "Nama Aset",
            "Penggunaan semula",
            "Dari OPD",
            "Ke OPD",
            "Nomor SK Wali Kota",
            "Tanggal SK",
            "Nomor BAST",
            "Diputuskan",
        ],
        rows=rows,
        totals={"Jumlah perubahan": len(rows)},
    )
