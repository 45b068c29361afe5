"""An outlet manager records a payment taken at her outlet in the admin on a phone (360 px), in
Indonesian, in Debian's Chromium: from the lease's page to the form, and back to the page with
the receipt number in the message and its link to the receipt PDF; axe-core finds no serious
or critical problem on the form or the page and the Content-Security-Policy refuses nothing."""

from decimal import Decimal

import pytest

from core.roles import OUTLET_MANAGER
from operations.models import Payment
from operations.services import billing
from outlets import services
from outlets.models import Lease, Offer
from outlets.nik import city_today
from tests.e2e.browser import admin_page, assert_accessible, launch, needs_chromium, shot
from tests.operations.helpers import allocated_round, make_vendor, priced_outlet, run_daily

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_manager_records_a_payment_on_a_phone(live_server, make_user, make_asset):
    from playwright.sync_api import sync_playwright

    manager = make_user(OUTLET_MANAGER, username="rina")
    outlet = priced_outlet(make_asset, manager)
    vendor = make_vendor()
    round_ = allocated_round(manager, [outlet], [(vendor, [(outlet, "kiosk")])])
    services.offer_accept(offer=Offer.objects.get(application__round=round_), user=vendor.user)
    lease = Lease.objects.get(vendor=vendor)
    run_daily(city_today())
    number = f"KW/{city_today().year}/000001"
    base = live_server.url

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page, problems = admin_page(browser, base, "rina")
            page.goto(f"{base}/admin/outlets/lease/{lease.pk}/change/")
            assert "Sisa tagihan: Rp 120.000,00" in page.locator("#lease-account").inner_text()
            page.get_by_role("link", name="Catat pembayaran").click()
            page.wait_for_url(f"**/admin/outlets/lease/{lease.pk}/payment/")
            assert page.locator("#id_paid_on").input_value() == city_today().isoformat()
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            assert problems == []  # before axe-core, whose own probes' inline styles it refuses
            assert_accessible(page, "admin payment form (phone)")
            problems.clear()
            page.get_by_label("Referensi").fill("KAS-2026-0001")
            page.get_by_label("Jumlah (Rp)").fill("50000")
            page.get_by_role("button", name="Catat pembayaran").click()
            page.wait_for_url(f"**/admin/outlets/lease/{lease.pk}/change/")
            message = page.locator(".messagelist .success")
            assert f"Pembayaran dicatat: kwitansi {number}." in message.inner_text()
            href = message.get_by_role("link", name="Kwitansi (PDF)").get_attribute("href")
            assert "Sisa tagihan: Rp 70.000,00" in page.locator("#lease-account").inner_text()
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            # checked before axe-core, whose own probes' inline styles the CSP refuses here
            assert problems == []
            assert_accessible(page, "admin lease page after a payment (phone)")
            shot(page, "admin-lease-payment-recorded-phone-id")
        finally:
            browser.close()

    payment = Payment.objects.get()
    assert (payment.receipt_number, payment.amount) == (number, Decimal("50000.00"))
    assert href == f"/api/v1/payments/{payment.pk}/receipt/"
    assert billing.lease_account(lease=lease).balance == Decimal("70000.00")
