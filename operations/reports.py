"""The city's reports on outlet operations, as rows of plain values (the API renders them as
JSON, CSV or XLSX): rent billed and collected per outlet, kecamatan and month (own-source
revenue, PAD); the arrears list; occupancy and vacant days per outlet; leases ending soon; stalls
leased but repeatedly found closed."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.spreadsheet import xlsx_row
from operations import ledger
from operations.models import Bill, Finding, Inspection, Payment
from outlets.managers import IN_FORCE
from outlets.models import Lease, LeaseStatus, Outlet, Stall

ZERO = Decimal("0.00")


def _outlets() -> dict[int, Outlet]:
    return {o.pk: o for o in Outlet.objects.select_related("asset").defer("asset__geometry")}


def revenue(*, start: date, end: date) -> list[dict]:
    """Billed (by period start) and collected (by payment date, reversals out) per outlet and
    month, from `start` up to, not including, `end`."""
    outlets = _outlets()
    billed = (
        Bill.objects.filter(period_start__gte=start, period_start__lt=end)
        .annotate(month=TruncMonth("period_start"))
        .values("lease__stall__outlet_id", "month")
        .annotate(total=Sum("amount"))
    )
    collected = (
        Payment.objects.filter(paid_on__gte=start, paid_on__lt=end, reversal__isnull=True)
        .annotate(month=TruncMonth("paid_on"))
        .values("lease__stall__outlet_id", "month")
        .annotate(total=Sum("amount"))
    )
    rows: dict[tuple, dict] = {}
    for kind, query in (("billed", billed), ("collected", collected)):
        for r in query:
            outlet_id, month = r["lease__stall__outlet_id"], r["month"]
            month = month.date() if hasattr(month, "date") and callable(month.date) else month
            key = (outlet_id, month)
            outlet = outlets[outlet_id]
            rows.setdefault(
                key,
                {"outlet": outlet_id, "outlet_name": outlet.name,
                 "kecamatan": outlet.asset.kecamatan_id or "", "month": month.strftime("%Y-%m"),
                 "billed": ZERO, "collected": ZERO},
            )  # fmt: skip
            rows[key][kind] += r["total"]
    return [rows[k] for k in sorted(rows)]


def arrears(*, on: date) -> list[dict]:
    """Every lease with an unpaid bill past its due date on `on`, aged; worst first."""
    lease_ids = set(
        Bill.objects.filter(due_date__lt=on).values_list("lease_id", flat=True).distinct()
    )
    bills = defaultdict(list)
    for b in Bill.objects.filter(lease_id__in=lease_ids):
        bills[b.lease_id].append(ledger.BillState(b.pk, b.due_date, b.period_start, b.amount))
    paid = defaultdict(list)
    for lease_id, amount in Payment.objects.filter(
        lease_id__in=lease_ids, paid_on__lte=on, reversal__isnull=True
    ).values_list("lease_id", "amount"):
        paid[lease_id].append(amount)
    leases = Lease.objects.select_related("stall", "vendor").in_bulk(lease_ids)
    rows = []
    for lease_id in sorted(lease_ids):
        account = ledger.settle(bills[lease_id], paid[lease_id], on=on)
        overdue = sum((v for k, v in account.aging.items() if k != "current"), ZERO)
        if overdue <= 0:
            continue
        lease = leases[lease_id]
        rows.append(
            {"lease": lease_id, "outlet": lease.stall.outlet_id, "stall_code": lease.stall.code,
             "vendor_business_name": lease.vendor.business_name, "overdue": overdue,
             "balance": account.balance, "oldest_days_late": account.oldest_days_late,
             **{k: account.aging[k] for k in ledger.BUCKETS}}
        )  # fmt: skip
    rows.sort(key=lambda r: (-r["oldest_days_late"], r["lease"]))
    return rows


def _lease_span(lease: Lease) -> tuple[date, date]:
    end = lease.end_date
    if lease.status == LeaseStatus.TERMINATED and lease.terminated_at is not None:
        termination = getattr(lease, "termination", None)
        stop = (
            termination.terminated_on
            if termination is not None
            else timezone.localdate(lease.terminated_at, timezone.get_default_timezone())
        )
        end = min(end, stop)
    return lease.start_date, end


def occupancy(*, start: date, end: date) -> list[dict]:
    """Per outlet, from `start` up to `end`: stall-days, leased days, vacant days, occupancy %."""
    days = (end - start).days
    outlets = _outlets()
    stalls = dict(Stall.objects.values_list("pk", "outlet_id"))
    leased: dict[int, int] = defaultdict(int)
    covered: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for lease in Lease.objects.filter(start_date__lt=end, end_date__gt=start):
        a, b = _lease_span(lease)
        a, b = max(a, start), min(b, end)
        if b > a:
            covered[lease.stall_id].append((a, b))
    for stall_id, spans in covered.items():
        spans.sort()
        total, cur_a, cur_b = 0, None, None
        for a, b in spans:  # merge overlaps (a renewal starts the day the old lease ends)
            if cur_b is None or a > cur_b:
                if cur_b is not None:
                    total += (cur_b - cur_a).days
                cur_a, cur_b = a, b
            else:
                cur_b = max(cur_b, b)
        if cur_b is not None:
            total += (cur_b - cur_a).days
        leased[stalls[stall_id]] += total
    count = defaultdict(int)
    for outlet_id in stalls.values():
        count[outlet_id] += 1
    rows = []
    for outlet_id in sorted(outlets):
        stall_days = count[outlet_id] * days
        rows.append(
            {"outlet": outlet_id, "outlet_name": outlets[outlet_id].name,
             "kecamatan": outlets[outlet_id].asset.kecamatan_id or "",
             "stalls": count[outlet_id], "stall_days": stall_days,
             "leased_days": leased[outlet_id], "vacant_days": stall_days - leased[outlet_id],
             "occupancy_percent": round(100 * leased[outlet_id] / stall_days, 2)
             if stall_days else None}
        )  # fmt: skip
    return rows


def leases_ending(*, on: date, days: int = 90) -> list[dict]:
    """Leases in force whose end date falls within `days` after `on`, soonest first."""
    leases = (
        Lease.objects.filter(
            status__in=IN_FORCE, end_date__gt=on, end_date__lte=on + timedelta(days=days)
        )
        .select_related("stall", "vendor")
        .order_by("end_date", "pk")
    )
    renewed = set(
        Lease.objects.filter(renewal_of__in=leases).values_list("renewal_of_id", flat=True)
    )
    return [
        {"lease": lease.pk, "outlet": lease.stall.outlet_id, "stall_code": lease.stall.code,
         "vendor_business_name": lease.vendor.business_name,
         "end_date": lease.end_date.isoformat(), "days_left": (lease.end_date - on).days,
         "renewed": lease.pk in renewed}
        for lease in leases
    ]  # fmt: skip


def closed_stalls(*, since: date, until: date, min_visits: int = 2) -> list[dict]:
    """Stalls leased at the visit but found closed at least `min_visits` times in the span."""
    found = (
        Inspection.objects.filter(visited_on__gte=since, visited_on__lte=until, lease__isnull=False)
        .values("stall_id", "stall__code", "stall__outlet_id", "lease_id")
        .annotate(closed=Count("pk", filter=Q(finding=Finding.CLOSED)), visits=Count("pk"))
        .filter(closed__gte=min_visits)
        .order_by("-closed", "stall_id")
    )
    return [
        {"stall": r["stall_id"], "stall_code": r["stall__code"], "outlet": r["stall__outlet_id"],
         "lease": r["lease_id"], "visits": r["visits"], "closed": r["closed"]}
        for r in found
    ]  # fmt: skip


# --- files ----------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def to_csv(rows: list[dict], columns: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for r in rows:
        writer.writerow([_cell(r.get(c)) for c in columns])
    return out.getvalue().encode("utf-8")


def to_xlsx(rows: list[dict], columns: list[str], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(columns)
    for r in rows:
        values = []
        for c in columns:
            v = r.get(c)
            if isinstance(v, Decimal):
                values.append(float(v) if v == v.quantize(Decimal("0.01")) else str(v))
            else:
                values.append(_cell(v))
        sheet.append(xlsx_row(values))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
