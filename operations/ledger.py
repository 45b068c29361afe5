"""The rent ledger of one lease, pure (no ORM): which periods are billed and when, and how the
payments settle the bills.

Payments pay the oldest bill first (by due date, then period); what is left after every bill is
credit that the next bills use. A bill's unpaid part is in arrears from the day after its due
date and ages in the buckets the city reports: current (not yet due), 1-30, 31-60, 61-90 and
over 90 days late.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal("0.00")
BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive
    due: date
    amount: Decimal
    issue_on: date  # the first day the job issues it


def schedule(
    *,
    start: date,
    end: date,
    monthly: Decimal,
    regime: str,
    due_days: int,
    signed_on: date,
    stop: date | None = None,
) -> list[Period]:
    """Every bill a lease will have. Retribusi: one per month from `start`, issued on its first
    day and due `due_days` later. Sewa: one for the whole term, issued when the lease is signed
    and due on its start. `stop` (a termination) drops periods starting on or after it."""
    if regime == "sewa":
        months = 0
        while add_months(start, months) < end:
            months += 1
        return [Period(start, end, start, monthly * months, min(signed_on, start))]
    periods = []
    k = 0
    while (period_start := add_months(start, k)) < end:
        if stop is not None and period_start >= stop:
            break
        period_end = min(add_months(start, k + 1), end)
        due = period_start + timedelta(days=due_days)
        periods.append(Period(period_start, period_end, due, monthly, period_start))
        k += 1
    return periods


@dataclass
class BillState:
    id: int
    due: date
    period_start: date
    amount: Decimal
    paid: Decimal = ZERO

    @property
    def unpaid(self) -> Decimal:
        return self.amount - self.paid

    @property
    def status(self) -> str:
        if self.paid >= self.amount:
            return "paid"
        return "partly_paid" if self.paid > 0 else "unpaid"


@dataclass
class Account:
    bills: list[BillState]
    billed: Decimal
    paid: Decimal
    balance: Decimal  # billed - paid: positive owed, negative credit
    credit: Decimal
    aging: dict[str, Decimal] = field(default_factory=dict)
    oldest_days_late: int = 0


def bucket(days_late: int) -> str:
    if days_late <= 0:
        return "current"
    if days_late <= 30:
        return "days_1_30"
    if days_late <= 60:
        return "days_31_60"
    if days_late <= 90:
        return "days_61_90"
    return "days_over_90"


def settle(bills: list[BillState], payments: list[Decimal], *, on: date) -> Account:
    """Apply the payments' total to the bills oldest first; age what is left unpaid on `on`."""
    ordered = sorted(bills, key=lambda b: (b.due, b.period_start, b.id))
    money = sum(payments, ZERO)
    left = money
    for bill in ordered:
        bill.paid = min(bill.amount, left)
        left -= bill.paid
    billed = sum((b.amount for b in ordered), ZERO)
    aging = dict.fromkeys(BUCKETS, ZERO)
    oldest = 0
    for bill in ordered:
        if bill.unpaid > 0:
            days = (on - bill.due).days
            aging[bucket(days)] += bill.unpaid
            oldest = max(oldest, days)
    return Account(ordered, billed, money, billed - money, left, aging, oldest)
