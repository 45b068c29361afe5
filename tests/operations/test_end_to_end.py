"""The whole life of a lease, moved through the calendar with `run_daily --date`, for both
payment regimes: signed, 14 months billed, 11 months paid (one in two parts, one over-paid),
three months in arrears, SP1 to SP3, terminated, and the stall offered to the first waitlisted
applicant, who accepts. Every amount and state is checked exactly, through the API."""

from datetime import timedelta
from decimal import Decimal

import pytest

from operations.ledger import add_months
from operations.models import Bill, Payment, WaitlistOffer
from outlets.models import Lease, Stall
from outlets.nik import city_today
from tests.conftest import client_for
from tests.operations.helpers import (
    allocated_round,
    make_vendor,
    offered_and_waiting,
    priced_outlet,
    run_daily,
)

pytestmark = pytest.mark.django_db
API = "/api/v1"
MONTHLY = Decimal("120000.00")


def _money(value) -> Decimal:
    return Decimal(value)


@pytest.mark.parametrize("regime", ["retribusi", "sewa"])
def test_a_lease_lives_is_billed_paid_warned_terminated_and_refilled(regime, make_asset, make_user):
    manager = make_user("outlet_manager")
    boss = client_for(manager)
    outlet = priced_outlet(make_asset, manager, regime=regime)
    first, second = make_vendor(), make_vendor()
    round_ = allocated_round(
        manager, [outlet], [(first, [(outlet, "kiosk")]), (second, [(outlet, "kiosk")])]
    )
    (holder,), (waiting,) = offered_and_waiting(round_, [first, second])
    holder_client, waiting_client = client_for(holder.user), client_for(waiting.user)

    # signed: the offer accepted, priced by the tariff
    offer_id = holder_client.get(f"{API}/offers/").json()["results"][0]["id"]
    assert holder_client.post(f"{API}/offers/{offer_id}/accept/").status_code == 200
    lease = Lease.objects.get(vendor=holder)
    today = city_today()
    assert (lease.start_date, lease.end_date) == (today, add_months(today, 14))
    assert lease.monthly_fee == MONTHLY
    account = boss.get(f"{API}/accounts/{lease.pk}/").json()
    assert account["pricing"]["formula"] == (
        "20000.00 per m2 x 6.00 m2 x location 1.2500 x programme 0.8000 = 120000 per month "
        "(Perwal Depok 7/2026)"
    )
    assert account["pricing"]["regime"] == regime

    # 14 months billed: run_daily on the first day of each month of the lease, twice each
    months = [add_months(today, k) for k in range(14)]
    for day in months:
        run_daily(day)
        run_daily(day)
    bills = list(Bill.objects.filter(lease=lease).order_by("period_start"))
    if regime == "retribusi":
        assert [(b.period_start, b.amount) for b in bills] == [(d, MONTHLY) for d in months]
        assert [b.due_date for b in bills] == [d + timedelta(days=10) for d in months]
    else:
        assert [(b.period_start, b.period_end, b.due_date, b.amount) for b in bills] == [
            (today, add_months(today, 14), today, MONTHLY * 14)
        ]

    # 11 months paid: nine exactly, the tenth in two parts, the eleventh over-paid by 30,000
    payments = [(f"TRX-{k:02d}", "120000.00", months[k]) for k in range(9)]
    payments += [("TRX-09a", "50000.00", months[9]), ("TRX-09b", "70000.00", months[9])]
    payments += [("TRX-10", "150000.00", months[10])]
    for reference, amount, day in payments:
        body = {"lease": lease.pk, "reference": reference, "amount": amount,
                "paid_on": day.isoformat()}  # fmt: skip
        response = boss.post(f"{API}/payments/", body, format="json")
        assert response.status_code == 201, response.json()
    assert Payment.objects.filter(lease=lease).count() == 12
    numbers = sorted(Payment.objects.values_list("receipt_number", flat=True))
    assert len(set(numbers)) == 12

    # three months in arrears, aged on the day after the last bill is due plus a day
    on = months[13] + timedelta(days=12)
    account = boss.get(f"{API}/accounts/{lease.pk}/?on={on.isoformat()}").json()
    assert _money(account["billed"]) == MONTHLY * 14
    assert _money(account["paid"]) == Decimal("1350000.00")
    assert _money(account["balance"]) == Decimal("330000.00")
    assert _money(account["credit"]) == 0
    if regime == "retribusi":
        statuses = [(b["status"], _money(b["unpaid"])) for b in account["bills"]]
        assert statuses == [("paid", 0)] * 11 + [
            ("partly_paid", Decimal("90000.00")), ("unpaid", MONTHLY), ("unpaid", MONTHLY)
        ]  # fmt: skip
        late = [(on - (d + timedelta(days=10))).days for d in months[11:]]
        assert account["oldest_days_late"] == late[0]
        aged = {k: _money(v) for k, v in account["aging"].items()}
        expected = dict.fromkeys(aged, Decimal("0"))
        for days, amount in zip(late, [Decimal("90000"), MONTHLY, MONTHLY], strict=True):
            bucket = "days_1_30" if days <= 30 else "days_31_60" if days <= 60 else "days_61_90"
            expected[bucket] += amount
        assert aged == expected
    else:
        assert [(b["status"], _money(b["unpaid"])) for b in account["bills"]] == [
            ("partly_paid", Decimal("330000.00"))
        ]
        assert account["oldest_days_late"] == (on - today).days
        assert _money(account["aging"]["days_over_90"]) == Decimal("330000.00")
    # the vendor reads the same account, her bills and her payments
    mine = holder_client.get(f"{API}/accounts/{lease.pk}/?on={on.isoformat()}").json()
    assert mine["balance"] == account["balance"]
    assert holder_client.get(f"{API}/bills/").json()["count"] == len(bills)
    assert holder_client.get(f"{API}/payments/").json()["count"] == 12
    assert waiting_client.get(f"{API}/accounts/{lease.pk}/").status_code == 404

    # SP1, SP2, SP3, each after the deadline of the one before
    for level in (1, 2, 3):
        issued = on + timedelta(days=4 * (level - 1))
        body = {"lease": lease.pk, "reason": "arrears", "detail": f"Tunggakan, SP{level}",
                "issued_on": issued.isoformat(),
                "deadline": (issued + timedelta(days=3)).isoformat()}  # fmt: skip
        response = boss.post(f"{API}/warnings/", body, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["sp"] == f"SP{level}"
    assert [w["sp"] for w in holder_client.get(f"{API}/warnings/").json()["results"]] == [
        "SP1", "SP2", "SP3"
    ]  # fmt: skip

    # terminated after SP3: the stall is freed and offered to the waitlisted applicant
    ended_on = on + timedelta(days=12)
    body = {"lease": lease.pk, "ground": "after_sp3", "reason": "Tunggakan tiga bulan",
            "terminated_on": ended_on.isoformat()}  # fmt: skip
    response = boss.post(f"{API}/terminations/", body, format="json")
    assert response.status_code == 201, response.json()
    assert holder_client.get(f"{API}/leases/{lease.pk}/").json()["status"] == "terminated"
    assert holder_client.get(f"{API}/terminations/").json()["count"] == 1
    run_daily(ended_on + timedelta(days=1))
    assert Bill.objects.filter(lease=lease).count() == len(bills)  # nothing billed after it
    stall = Stall.objects.get(outlet=outlet)
    waitlist = waiting_client.get(f"{API}/waitlist-offers/").json()["results"]
    assert [(w["stall"], w["status"], w["choice_rank"]) for w in waitlist] == [
        (stall.pk, "open", 1)
    ]
    assert holder_client.get(f"{API}/waitlist-offers/").json()["count"] == 0

    # who accepts: a new lease at the tariff in force
    response = waiting_client.post(f"{API}/waitlist-offers/{waitlist[0]['id']}/accept/")
    assert response.status_code == 200, response.json()
    new_lease = Lease.objects.get(vendor=waiting)
    assert (new_lease.stall_id, new_lease.monthly_fee, new_lease.status) == (
        stall.pk, MONTHLY, "active"
    )  # fmt: skip
    assert WaitlistOffer.objects.get().lease_id == new_lease.pk
    assert Stall.objects.get(pk=stall.pk).status == "leased"
