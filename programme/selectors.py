"""Reads of the programme: the funnel per cohort year, programme and kecamatan, the evidence
behind verified claims (for a round's results), licences expiring soon, and a vendor's own
record.

The funnel counts people on the cohort lists (one per programme and year) and follows each one
who registered: coached (attended a session), licensed (a licence valid on the day), applied (an
application, not withdrawn), placed (a lease in force on the day), trading (placed, and the latest
inspection of her leases, read through `operations.selectors.inspection_list`, found her trading;
without an inspection she is not counted as trading).
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from core.spreadsheet import xlsx_row
from geodata.models import District
from operations.choices import Finding
from operations.selectors import inspection_list
from outlets.managers import IN_FORCE, live_applications
from outlets.models import Application, ClaimVerification, Lease, Vendor
from outlets.nik import city_today
from programme.models import (
    Attendance,
    CoachingSession,
    CohortMember,
    Licence,
    Target,
)

STAGES = ("recruited", "coached", "licensed", "applied", "placed", "trading")
EXPORT_COLUMNS = ("year", "programme", "kecamatan_code", "kecamatan_name", *STAGES)


def _valid_licence(day: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}issued_on__lte": day}) & (
        Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gte": day})
    )


def _lease_active(day: date) -> Q:
    return Q(status__in=IN_FORCE, start_date__lte=day, end_date__gt=day)


def _latest_finding() -> Subquery:
    """The finding of the latest inspection of any of the member's leases (None without one)."""
    latest = (
        inspection_list()
        .filter(lease__vendor_id=OuterRef("vendor_id"))
        .order_by("-visited_on", "-id")
        .values("finding")[:1]
    )
    return Subquery(latest)


def funnel(
    *,
    year: int | None = None,
    programme: str | None = None,
    kecamatan: str | None = None,
    day: date | None = None,
) -> dict:
    """The funnel rows (year, programme, kecamatan), the totals per year and programme with their
    targets, and the overall totals. One aggregate query over the members, plus the targets."""
    day = day or city_today()
    members = CohortMember.objects.all()
    if year is not None:
        members = members.filter(year=year)
    if programme:
        members = members.filter(programme=programme)
    if kecamatan:
        members = members.filter(kecamatan_id=kecamatan)
    vendor = OuterRef("vendor_id")
    annotated = members.annotate(
        is_coached=Exists(Attendance.objects.filter(vendor_id=vendor)),
        is_licensed=Exists(Licence.objects.filter(_valid_licence(day), vendor_id=vendor)),
        is_applied=Exists(Application.objects.filter(live_applications(), vendor_id=vendor)),
        is_placed=Exists(Lease.objects.filter(_lease_active(day), vendor_id=vendor)),
        latest_finding=_latest_finding(),
    )
    grouped = (
        annotated.values("year", "programme", "kecamatan_id")
        .annotate(
            recruited=Count("pk"),
            coached=Count("pk", filter=Q(is_coached=True)),
            licensed=Count("pk", filter=Q(is_licensed=True)),
            applied=Count("pk", filter=Q(is_applied=True)),
            placed=Count("pk", filter=Q(is_placed=True)),
            trading=Count("pk", filter=Q(is_placed=True, latest_finding=Finding.TRADING)),
        )
        .order_by("year", "programme", "kecamatan_id")
    )
    names = dict(District.objects.filter(code__startswith="32.76.").values_list("code", "name"))
    rows = [
        {
            "year": r["year"],
            "programme": r["programme"],
            "kecamatan_code": r["kecamatan_id"],
            "kecamatan_name": names.get(r["kecamatan_id"], ""),
            **{stage: r[stage] for stage in STAGES},
        }
        for r in grouped
    ]
    targets = {(t.programme, t.year): t for t in Target.objects.all()}
    by_year: dict[tuple[int, str], dict] = {}
    for r in rows:
        entry = by_year.setdefault(
            (r["year"], r["programme"]),
            {"year": r["year"], "programme": r["programme"], **dict.fromkeys(STAGES, 0)},
        )
        for stage in STAGES:
            entry[stage] += r[stage]
    years = []
    for (y, p), entry in sorted(by_year.items()):
        target = targets.get((p, y))
        entry["target"] = target.target if target else None
        entry["recruited_percent"] = (
            round(100.0 * entry["recruited"] / target.target, 2)
            if target and target.target
            else None
        )
        years.append(entry)
    total = {stage: sum(r[stage] for r in rows) for stage in STAGES}
    overall = []
    for p in ("wub", "women"):
        target = targets.get((p, None))
        recruited = sum(r["recruited"] for r in rows if r["programme"] == p)
        overall.append(
            {
                "programme": p,
                "target": target.target if target else None,
                "source": target.source if target else "",
                "recruited": recruited,
                "recruited_percent": (
                    round(100.0 * recruited / target.target, 2)
                    if target and target.target
                    else None
                ),
            }
        )
    return {
        "as_of": day,
        "rows": rows,
        "years": years,
        "total": total,
        "targets": overall,
    }


def funnel_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for r in report["rows"]:
        writer.writerow([r[c] for c in EXPORT_COLUMNS])
    return out.getvalue()


def funnel_xlsx(report: dict) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("funnel")
    sheet.append(list(EXPORT_COLUMNS))
    for r in report["rows"]:
        sheet.append(xlsx_row(r[c] for c in EXPORT_COLUMNS))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def claim_evidence(vendor_ids: list[int]) -> dict[int, dict[str, dict]]:
    """Vendor id -> claim -> what its live verification rests on: `{"evidence": "cohort_list",
    "cohort_list": id, "programme", "year", "imported_at"}` or `{"evidence": "manual"}`, with
    `verified_at`. No reason text (it may quote documents) and nothing personal."""
    out: dict[int, dict[str, dict]] = {}
    ids = sorted(set(vendor_ids))
    for start in range(0, len(ids), 2000):
        rows = (
            ClaimVerification.objects.filter(
                vendor_id__in=ids[start : start + 2000], revoked_at=None
            )
            .select_related("cohort_member__cohort_list")
            .order_by("vendor_id", "claim")
        )
        for v in rows:
            member = getattr(v, "cohort_member", None)
            entry = {"evidence": "manual", "verified_at": v.verified_at}
            if member is not None:
                entry = {
                    "evidence": "cohort_list",
                    "cohort_list": member.cohort_list_id,
                    "programme": member.programme,
                    "year": member.year,
                    "imported_at": member.cohort_list.imported_at,
                    "verified_at": v.verified_at,
                }
            out.setdefault(v.vendor_id, {})[v.claim] = entry
    return out


def licences_expiring(*, within_days: int = 90, day: date | None = None):
    """Licences still valid on `day` that expire within `within_days` days, soonest first."""
    day = day or city_today()
    return (
        Licence.objects.filter(
            expires_on__gte=day, expires_on__lte=day + timedelta(days=within_days)
        )
        .select_related("vendor")
        .order_by("expires_on", "pk")
    )


def vendor_record(vendor: Vendor, *, day: date | None = None) -> dict:
    """A vendor's own programme record: memberships, coaching attended, licences."""
    day = day or city_today()
    memberships = vendor.cohort_memberships.select_related("cohort_list").order_by("year", "pk")
    sessions = CoachingSession.objects.filter(attendances__vendor=vendor).order_by("held_on", "pk")
    licences = vendor.licences.order_by("kind", "-issued_on")
    return {
        "memberships": [
            {
                "programme": m.programme,
                "year": m.year,
                "kecamatan_code": m.kecamatan_id,
                "batch": m.batch,
                "verified": m.verification_id is not None,
            }
            for m in memberships
        ],
        "coaching": list(sessions),
        "licences": [
            {
                "licence": lic,
                "valid": lic.issued_on <= day and (lic.expires_on is None or lic.expires_on >= day),
            }
            for lic in licences
        ],
    }
