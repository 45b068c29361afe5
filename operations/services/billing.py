"""Writes for bills, payments, statement imports and reversals; the kwitansi numbering.

Bills are issued by `bills_issue` (run by `run_daily`) and only there: one per lease and period
(a unique constraint), so issuing twice, or twice at once (the leases are locked), makes no
second bill. Payments carry a unique reference: the same statement imported again, or twice at
once, records each payment once (the second insert meets the constraint inside its own
savepoint and counts as already recorded).
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict
from operations import ledger
from operations.models import Bill, OutletTerms, Payment, PaymentSource, ReceiptCounter, Reversal
from operations.services._common import require_lease_managed, today_or
from outlets.managers import IN_FORCE
from outlets.models import Lease, LeaseStatus

logger = logging.getLogger(__name__)

AMOUNT_MAX = Decimal("999999999999.99")
REFERENCE_TAKEN = _("A payment with this reference is already recorded.")
AMOUNT_NOT_POSITIVE = _("The amount must be more than 0.")
ALREADY_REVERSED = _("This payment is already reversed.")
REASON_REQUIRED = _("Give the reason.")
STATEMENT_EMPTY = _("The statement holds no payment rows.")
STATEMENT_COLUMNS = _("The statement needs the columns: {columns}.")
STATEMENT_ROW = _("Row {row}: {problem}")
STATEMENT_NOT_TEXT = _("The statement must be a UTF-8 CSV file.")
UNKNOWN_ACCOUNT = _("no lease has virtual account {account}")
BAD_AMOUNT = _("the amount {amount} is not a positive number of rupiah")
BAD_DATE = _("the date {value} is not a date (YYYY-MM-DD)")
BAD_REFERENCE = _("the reference is empty or longer than 64 characters")
NOT_MANAGED = _("lease {lease} is not at an outlet you manage")
STATEMENT_COLUMNS_NEEDED = ("reference", "paid_on", "amount", "virtual_account")
VA_PREFIX = "8276"  # a virtual account is this prefix and the lease id on 12 digits


def virtual_account(lease_id: int) -> str:
    return f"{VA_PREFIX}{lease_id:012d}"


def lease_from_virtual_account(account: str) -> int | None:
    account = account.strip()
    if len(account) != len(VA_PREFIX) + 12 or not account.isdigit():
        return None
    if not account.startswith(VA_PREFIX):
        return None
    return int(account[len(VA_PREFIX) :])


# --- bills -----------------------------------------------------------------------------------


def lease_schedule(lease: Lease, terms: OutletTerms | None = None) -> list[ledger.Period]:
    pricing = getattr(lease, "pricing", None)
    regime = pricing.regime if pricing else (terms.regime if terms else "retribusi")
    monthly = pricing.monthly_amount if pricing else lease.monthly_fee
    due_days = terms.due_days if terms else 10
    stop = None
    if lease.status == LeaseStatus.TERMINATED:
        termination = getattr(lease, "termination", None)
        stop = (
            termination.terminated_on
            if termination is not None
            else timezone.localdate(lease.terminated_at, timezone.get_default_timezone())
        )
    signed_on = timezone.localdate(lease.created_at, timezone.get_default_timezone())
    return ledger.schedule(
        start=lease.start_date, end=lease.end_date, monthly=monthly, regime=regime,
        due_days=due_days, signed_on=signed_on, stop=stop,
    )  # fmt: skip


def bills_issue(*, today: date | None = None) -> int:
    """Issue every bill due to be issued by `today` that does not exist yet; returns how many.

    A terminated lease is billed for the periods that started before its termination."""
    today = today_or(today)
    billable = [*IN_FORCE, LeaseStatus.ENDED, LeaseStatus.RENEWED, LeaseStatus.TERMINATED]
    ids = list(Lease.objects.filter(status__in=billable).values_list("pk", flat=True))
    created = 0
    for chunk_start in range(0, len(ids), 500):
        chunk = sorted(ids)[chunk_start : chunk_start + 500]
        # Locked by primary key: a second run at the same time waits here, then finds the bills.
        with transaction.atomic():
            leases = list(
                Lease.objects.select_for_update(of=("self",))
                .filter(pk__in=chunk)
                .select_related("stall", "pricing", "termination")
                .order_by("pk")
            )
            terms = {
                t.outlet_id: t
                for t in OutletTerms.objects.filter(
                    outlet_id__in={lease.stall.outlet_id for lease in leases}
                )
            }
            have = set(
                Bill.objects.filter(lease_id__in=chunk).values_list("lease_id", "period_start")
            )
            for lease in leases:
                for period in lease_schedule(lease, terms.get(lease.stall.outlet_id)):
                    if period.issue_on > today or (lease.pk, period.start) in have:
                        continue
                    Bill.objects.create(
                        lease=lease,
                        period_start=period.start,
                        period_end=period.end,
                        due_date=period.due,
                        amount=period.amount,
                    )
                    created += 1
    return created


# --- payments --------------------------------------------------------------------------------


def _next_receipt_number(day: date) -> str:
    ReceiptCounter.objects.get_or_create(year=day.year)
    counter = ReceiptCounter.objects.select_for_update().get(year=day.year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"KW/{day.year}/{counter.last:06d}"


def _clean_amount(amount) -> Decimal:
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": [AMOUNT_NOT_POSITIVE]}) from None
    if not value.is_finite() or value <= 0 or value > AMOUNT_MAX:
        raise ValidationError({"amount": [AMOUNT_NOT_POSITIVE]})
    return value.quantize(Decimal("0.01"))


def _create_payment(
    *, lease: Lease, user, reference: str, amount: Decimal, paid_on: date, source: str
) -> Payment:
    payment = Payment(
        lease=lease,
        reference=reference,
        amount=amount,
        paid_on=paid_on,
        source=source,
        recorded_by=user,
        receipt_number=_next_receipt_number(paid_on),
    )
    payment._history_user = user
    payment.save()
    return payment


def payment_record(
    *, lease: Lease, user: AbstractBaseUser, reference: str, amount: Decimal, paid_on: date
) -> Payment:
    """A payment a manager records (cash at the outlet, a transfer she checked)."""
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        raise ValidationError({"reference": [str(BAD_REFERENCE)]})
    amount = _clean_amount(amount)
    require_lease_managed(user, lease)
    if Payment.objects.filter(reference=reference).exists():
        raise Conflict(str(REFERENCE_TAKEN))
    try:
        with transaction.atomic():
            return _create_payment(
                lease=lease, user=user, reference=reference, amount=amount, paid_on=paid_on,
                source=PaymentSource.MANUAL,
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(str(REFERENCE_TAKEN)) from None


@transaction.atomic
def payment_reverse(*, payment: Payment, user: AbstractBaseUser, reason: str) -> Reversal:
    if not (reason or "").strip():
        raise ValidationError({"reason": [REASON_REQUIRED]})
    payment = Payment.objects.select_for_update().select_related("lease__stall").get(pk=payment.pk)
    require_lease_managed(user, payment.lease)
    if Reversal.objects.filter(payment=payment).exists():
        raise Conflict(str(ALREADY_REVERSED))
    reversal = Reversal(payment=payment, reason=reason.strip(), reversed_by=user)
    reversal._history_user = user
    reversal.save()
    return reversal


@dataclass
class ImportReport:
    recorded: list[Payment] = field(default_factory=list)
    already_recorded: list[str] = field(default_factory=list)


def _parse_statement(content: bytes) -> list[dict]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": [STATEMENT_NOT_TEXT]}) from None
    if "\x00" in text:
        raise ValidationError({"file": [STATEMENT_NOT_TEXT]})
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    if not set(STATEMENT_COLUMNS_NEEDED) <= set(columns):
        message = str(STATEMENT_COLUMNS).format(columns=", ".join(STATEMENT_COLUMNS_NEEDED))
        raise ValidationError({"file": [message]})
    rows, problems = [], []
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        reference = row.get("reference", "")
        if not reference or len(reference) > 64:
            problems.append(str(STATEMENT_ROW).format(row=number, problem=BAD_REFERENCE))
            continue
        try:
            paid_on = date.fromisoformat(row.get("paid_on", ""))
        except ValueError:
            problem = str(BAD_DATE).format(value=row.get("paid_on", "")[:20])
            problems.append(str(STATEMENT_ROW).format(row=number, problem=problem))
            continue
        try:
            amount = _clean_amount(row.get("amount", "").replace(",", ""))
        except ValidationError:
            problem = str(BAD_AMOUNT).format(amount=row.get("amount", "")[:30])
            problems.append(str(STATEMENT_ROW).format(row=number, problem=problem))
            continue
        lease_id = lease_from_virtual_account(row.get("virtual_account", ""))
        if lease_id is None:
            problem = str(UNKNOWN_ACCOUNT).format(account=row.get("virtual_account", "")[:30])
            problems.append(str(STATEMENT_ROW).format(row=number, problem=problem))
            continue
        rows.append(
            {"row": number, "reference": reference, "paid_on": paid_on, "amount": amount,
             "lease_id": lease_id, "account": row["virtual_account"]}
        )  # fmt: skip
    if problems:
        raise ValidationError({"file": problems[:100]})
    if not rows:
        raise ValidationError({"file": [STATEMENT_EMPTY]})
    return rows


def statement_import(*, user: AbstractBaseUser, content: bytes) -> ImportReport:
    """Record a bank or virtual-account statement (CSV: reference, paid_on, amount,
    virtual_account). Every row is checked first: one bad row and nothing is recorded (400
    naming `file` with each row's problem). A reference already recorded is skipped."""
    rows = _parse_statement(content)
    leases = Lease.objects.select_related("stall").in_bulk({r["lease_id"] for r in rows})
    problems = []
    for r in rows:
        lease = leases.get(r["lease_id"])
        if lease is None:
            problem = str(UNKNOWN_ACCOUNT).format(account=r["account"])
            problems.append(str(STATEMENT_ROW).format(row=r["row"], problem=problem))
    if problems:
        raise ValidationError({"file": problems[:100]})
    for lease in leases.values():
        try:
            require_lease_managed(user, lease)
        except Exception:
            raise ValidationError(
                {"file": [str(NOT_MANAGED).format(lease=virtual_account(lease.pk))]}
            ) from None
    report = ImportReport()
    with transaction.atomic():
        for r in rows:
            try:
                with transaction.atomic():
                    report.recorded.append(
                        _create_payment(
                            lease=leases[r["lease_id"]], user=user, reference=r["reference"],
                            amount=r["amount"], paid_on=r["paid_on"],
                            source=PaymentSource.STATEMENT,
                        )
                    )  # fmt: skip
            except IntegrityError:
                report.already_recorded.append(r["reference"])
    return report


# --- the account -----------------------------------------------------------------------------


def lease_account(*, lease: Lease, on: date | None = None) -> ledger.Account:
    """The lease's bills as its payments settle them, and its arrears aged on `on`."""
    on = today_or(on)
    bills = [
        ledger.BillState(b.pk, b.due_date, b.period_start, b.amount)
        for b in Bill.objects.filter(lease=lease).order_by("due_date", "period_start")
    ]
    payments = list(
        Payment.objects.filter(lease=lease, paid_on__lte=on, reversal__isnull=True).values_list(
            "amount", flat=True
        )
    )
    return ledger.settle(bills, payments, on=on)
