"""A vendor's bills page (`/vendor/leases/<id>/bills/`): her bills as her payments settle them,
what she owes today in Depok, the virtual account to pay into, her payments with their receipts
and her warning letters, the same figures as the API's account; another vendor's lease is a
404, a manager is not a vendor; in Indonesian first, on a phone, accessible (axe-core)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from operations.models import Bill
from operations.services import billing
from outlets.models import Lease
from outlets.nik import city_today
from tests.conftest import client_for
from tests.e2e.browser import assert_accessible, launch, needs_chromium, shot
from tests.operations.helpers import allocated_round, make_vendor, priced_outlet, run_daily
from tests.outlets.helpers import PASSWORD
from tests.web.helpers import web_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def leased(make_asset, make_user):
    """A vendor on a 14-month lease of a 120,000-a-month kiosk, its first bill issued and
    100,000 of it paid at the outlet."""
    manager = make_user("outlet_manager")
    outlet = priced_outlet(make_asset, manager)
    vendor = make_vendor()
    round_ = allocated_round(manager, [outlet], [(vendor, [(outlet, "kiosk")])])
    offer = round_.applications.get().offer
    client_for(vendor.user).post(f"/api/v1/offers/{offer.pk}/accept/")
    lease = Lease.objects.get(vendor=vendor)
    run_daily(city_today())
    payment = billing.payment_record(
        lease=lease, user=manager, reference="KAS-7", amount=Decimal("100000"), paid_on=city_today()
    )
    return manager, vendor, lease, payment


def test_the_vendor_reads_her_bills_and_payments(leased):
    manager, vendor, lease, payment = leased
    account = billing.lease_account(lease=lease, on=city_today())
    bill = Bill.objects.get(lease=lease)
    assert (bill.amount, account.balance) == (Decimal("120000"), Decimal("20000"))

    client = web_client(vendor.user)
    home = client.get("/vendor/").content.decode()
    owed = f'href="/vendor/leases/{lease.pk}/bills/" data-testid="lease-owed">Rp 20,000 owed'
    assert owed in home  # her first page says what she owes
    lease_page = client.get(f"/vendor/leases/{lease.pk}/").content.decode()
    assert f'href="/vendor/leases/{lease.pk}/bills/"' in lease_page
    response = client.get(f"/vendor/leases/{lease.pk}/bills/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "You owe Rp 20,000 on" in body
    assert billing.virtual_account(lease.pk) in body
    assert "<td>Rp 120,000</td>" in body
    assert "<td>Rp 100,000</td>" in body
    assert "Partly paid" in body
    assert f'href="/api/v1/payments/{payment.pk}/receipt/"' in body
    assert payment.receipt_number in body
    # the receipt link answers her
    receipt = client_for(vendor.user).get(f"/api/v1/payments/{payment.pk}/receipt/")
    assert receipt.status_code == 200
    assert receipt.content.startswith(b"%PDF")


def test_another_vendors_lease_and_a_manager_get_nothing(leased):
    manager, vendor, lease, payment = leased
    stranger = make_vendor()
    assert web_client(stranger.user).get(f"/vendor/leases/{lease.pk}/bills/").status_code == 404
    boss = Client()
    boss.force_login(manager)
    assert boss.get(f"/vendor/leases/{lease.pk}/bills/").status_code == 403


def test_indonesian_first(leased):
    manager, vendor, lease, payment = leased
    client = Client()
    assert client.login(username=vendor.user.username, password=PASSWORD)
    body = client.get(f"/vendor/leases/{lease.pk}/bills/").content.decode()
    assert "Tagihan Anda Rp 20.000 per" in body
    assert "Dibayar sebagian" in body


@needs_chromium
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_bills_page_on_a_phone(leased, live_server):
    from playwright.sync_api import sync_playwright

    manager, vendor, lease, payment = leased
    base = live_server.url
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 360, "height": 740}, locale="id-ID")
            problems = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", vendor.user.username)
            page.fill("#id_password", PASSWORD)
            page.click('[data-testid="login-submit"]')
            page.wait_for_load_state()
            page.goto(f"{base}/vendor/leases/{lease.pk}/")
            page.get_by_test_id("lease-bills").click()
            page.wait_for_url(f"{base}/vendor/leases/{lease.pk}/bills/")
            assert (
                page.get_by_test_id("bills-owed")
                .inner_text()
                .startswith("Tagihan Anda Rp 20.000 per")
            )
            rows = page.locator('[data-testid="bills-table"] tbody tr')
            assert rows.count() == 1
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            assert_accessible(page, "vendor bills (phone)")
            shot(page, "portal-bills-phone-id")
            assert problems == []
        finally:
            browser.close()


def test_her_warning_letters_are_listed(leased):
    from datetime import timedelta

    from operations.services.enforcement import warning_issue

    manager, vendor, lease, payment = leased
    today = city_today()
    warning_issue(
        lease=lease, user=manager, reason="arrears", detail="Rp 20.000 lewat jatuh tempo",
        issued_on=today, deadline=today + timedelta(days=14),
    )  # fmt: skip
    body = web_client(vendor.user).get(f"/vendor/leases/{lease.pk}/bills/").content.decode()
    assert 'data-testid="bills-warnings"' in body
    assert "Warning letter 1 (Arrears), issued" in body
