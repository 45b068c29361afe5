"""An outlet manager's writes in the admin, through the real admin: on a lease's page she records
a payment (a numbered receipt, the account's balance falls) and issues warning letters in order;
on a payment's page she reverses it with a reason; on a warning's page she marks it resolved.
Bad input is an error next to its field, a conflict an error message, with nothing written; a
manager of another outlet, a planner and an asset officer get 403 and write nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format

from core.roles import ASSET_OFFICER, OUTLET_MANAGER, PLANNER
from operations.models import Payment, Reversal, WarningLetter
from operations.services import billing, enforcement
from outlets import services
from outlets.models import Lease, Offer
from outlets.nik import city_today
from tests.operations.helpers import allocated_round, make_vendor, priced_outlet, run_daily

pytestmark = pytest.mark.django_db

LEASE = "/admin/outlets/lease"


def _signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def leased(make_asset, make_user):
    """A manager, her priced outlet and a vendor holding its kiosk, its first bill issued."""
    manager = make_user(OUTLET_MANAGER)
    outlet = priced_outlet(make_asset, manager)
    vendor = make_vendor()
    round_ = allocated_round(manager, [outlet], [(vendor, [(outlet, "kiosk")])])
    services.offer_accept(offer=Offer.objects.get(application__round=round_), user=vendor.user)
    lease = Lease.objects.get(vendor=vendor)
    run_daily(city_today())
    return manager, lease


def _payment_body(**changes) -> dict:
    return {
        "reference": "KAS-0001",
        "amount": "50000",
        "paid_on": city_today().isoformat(),
        **changes,
    }


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_manager_records_a_payment_and_reads_the_receipt_number(leased):
    manager, lease = leased
    client = _signed_in(manager)
    before = billing.lease_account(lease=lease).balance
    page = client.get(f"{LEASE}/{lease.pk}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    assert f"{LEASE}/{lease.pk}/payment/" in content
    assert f"{LEASE}/{lease.pk}/warning/" in content
    assert "Balance owed: Rp 120,000.00" in content  # the first bill, unpaid
    form = client.get(f"{LEASE}/{lease.pk}/payment/")
    assert form.status_code == 200
    assert form.context["form"]["paid_on"].value() == city_today()

    response = client.post(f"{LEASE}/{lease.pk}/payment/", _payment_body(), follow=True)
    assert response.redirect_chain[-1][0] == f"{LEASE}/{lease.pk}/change/"
    payment = Payment.objects.get()
    number = f"KW/{city_today().year}/000001"
    assert payment.receipt_number == number
    assert (payment.amount, payment.recorded_by, payment.lease) == (
        Decimal("50000.00"), manager, lease
    )  # fmt: skip
    (message,) = _messages(response)
    assert number in message
    assert f'href="/api/v1/payments/{payment.pk}/receipt/"' in message
    receipt = client.get(f"/api/v1/payments/{payment.pk}/receipt/")  # her admin session reads it
    assert (receipt.status_code, receipt["Content-Type"]) == (200, "application/pdf")
    assert billing.lease_account(lease=lease).balance == before - Decimal("50000")
    assert "Balance owed: Rp 70,000.00" in response.content.decode()


def test_a_duplicate_reference_or_a_bad_amount_writes_nothing(leased):
    manager, lease = leased
    client = _signed_in(manager)
    url = f"{LEASE}/{lease.pk}/payment/"
    client.post(url, _payment_body(), follow=True)  # its message read on the lease page
    response = client.post(url, _payment_body(amount="10000"), follow=True)
    assert response.redirect_chain[-1][0] == f"{LEASE}/{lease.pk}/change/"
    assert _messages(response) == [str(billing.REFERENCE_TAKEN)]
    for amount in ("0", "abc", ""):
        response = client.post(url, _payment_body(reference="KAS-0002", amount=amount))
        assert response.status_code == 200, amount
        assert list(response.context["form"].errors) == ["amount"], amount
    response = client.post(url, _payment_body(reference="  "))
    assert list(response.context["form"].errors) == ["reference"]
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("role", ["other_manager", PLANNER, ASSET_OFFICER])
def test_only_a_manager_of_the_outlet_may_write(leased, make_user, role):
    manager, lease = leased
    payment = billing.payment_record(
        lease=lease, user=manager, reference="KAS-1", amount=Decimal("1000"), paid_on=city_today()
    )
    warning = enforcement.warning_issue(
        lease=lease, user=manager, reason="arrears", detail="", issued_on=city_today(),
        deadline=city_today() + timedelta(days=14),
    )  # fmt: skip
    user = make_user(OUTLET_MANAGER) if role == "other_manager" else make_user(role)
    client = _signed_in(user)
    if role != ASSET_OFFICER:  # she reads the pages, without the links
        page = client.get(f"{LEASE}/{lease.pk}/change/").content.decode()
        assert f"{LEASE}/{lease.pk}/payment/" not in page
    urls = [
        (f"{LEASE}/{lease.pk}/payment/", _payment_body()),
        (f"{LEASE}/{lease.pk}/warning/", {"reason": "arrears"}),
        (f"/admin/operations/payment/{payment.pk}/reverse/", {"reason": "salah catat"}),
        (f"/admin/operations/warningletter/{warning.pk}/resolve/", {"on": "2030-01-01"}),
    ]
    for url, body in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, body).status_code == 403, url
    assert Payment.objects.count() == 1
    assert not Reversal.objects.exists()
    assert WarningLetter.objects.get().resolved_on is None


def test_reversing_a_payment_needs_a_reason(leased):
    manager, lease = leased
    client = _signed_in(manager)
    client.post(f"{LEASE}/{lease.pk}/payment/", _payment_body(), follow=True)
    payment = Payment.objects.get()
    page = client.get(f"/admin/operations/payment/{payment.pk}/change/").content.decode()
    url = f"/admin/operations/payment/{payment.pk}/reverse/"
    assert url in page
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "  "})
    assert response.context["form"].errors == {"reason": [str(billing.REASON_REQUIRED)]}
    assert not Reversal.objects.exists()
    response = client.post(url, {"reason": "Salah catat"}, follow=True)
    assert payment.receipt_number in _messages(response)[0]
    assert Reversal.objects.get(payment=payment).reason == "Salah catat"
    assert url not in response.content.decode()  # reversed once only
    assert billing.lease_account(lease=lease).balance == Decimal("120000.00")
    response = client.post(url, {"reason": "lagi"}, follow=True)
    assert _messages(response) == [str(billing.ALREADY_REVERSED)]
    assert Reversal.objects.count() == 1


def test_warning_letters_go_out_in_order_and_a_resolved_one_shows_its_date(leased):
    manager, lease = leased
    client = _signed_in(manager)
    url = f"{LEASE}/{lease.pk}/warning/"
    today = city_today()

    def issue(issued_on, deadline, reason="arrears"):
        body = {"reason": reason, "detail": "Tunggakan", "issued_on": issued_on.isoformat(),
                "deadline": deadline.isoformat()}  # fmt: skip
        return client.post(url, body, follow=True)

    form = client.get(url)
    assert form.context["form"]["issued_on"].value() == today
    assert "Arrears" in form.content.decode()
    response = issue(today, today)  # the deadline must come after the day
    assert list(response.context["form"].errors) == ["deadline"]
    response = client.post(url, {"reason": "castle", "issued_on": today, "deadline": today})
    assert "reason" in response.context["form"].errors
    assert not WarningLetter.objects.exists()

    response = issue(today, today + timedelta(days=7))
    assert _messages(response) == [f"SP1 issued; its deadline is {today + timedelta(days=7)}."]
    response = issue(today + timedelta(days=3), today + timedelta(days=10))  # before SP1's end
    assert list(response.context["form"].errors) == ["issued_on"]
    response = issue(today + timedelta(days=8), today + timedelta(days=20))
    assert _messages(response)[0].startswith("SP2 issued")
    assert list(WarningLetter.objects.order_by("level").values_list("level", flat=True)) == [1, 2]
    response = issue(today + timedelta(days=21), today + timedelta(days=30))
    assert _messages(response)[0].startswith("SP3 issued")
    response = issue(today + timedelta(days=31), today + timedelta(days=40))  # a conflict
    assert response.redirect_chain[-1][0] == f"{LEASE}/{lease.pk}/change/"
    assert _messages(response) == [str(enforcement.WARNINGS_DONE)]
    assert WarningLetter.objects.count() == 3

    sp1 = WarningLetter.objects.get(level=1)
    page = client.get(f"/admin/operations/warningletter/{sp1.pk}/change/").content.decode()
    resolve = f"/admin/operations/warningletter/{sp1.pk}/resolve/"
    assert resolve in page
    response = client.post(resolve, {"on": (today + timedelta(days=5)).isoformat()}, follow=True)
    sp1.refresh_from_db()
    assert sp1.resolved_on == today + timedelta(days=5)
    content = response.content.decode()
    assert resolve not in content
    assert _messages(response) == [f"SP1 marked resolved on {sp1.resolved_on.isoformat()}."]
    shown = re.search(r'field-resolved_on.*?<div class="readonly">([^<]*)</div>', content, re.S)
    with translation.override("en"):  # the page shows the resolved date
        assert shown.group(1) == date_format(sp1.resolved_on)
    response = client.get(resolve, follow=True)
    assert _messages(response) == [str(enforcement.ALREADY_RESOLVED)]
