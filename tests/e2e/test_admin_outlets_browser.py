"""An outlet manager reads her leases in the admin on a phone (360 px), in Indonesian, in
Debian's Chromium: the lease list, filtered by status, then one lease's read-only page with
the vendor's business name, full name and masked NIK and no save button; axe-core finds no
serious or critical problem on either page and the Content-Security-Policy refuses nothing."""

from datetime import date
from decimal import Decimal

import pytest

from core.roles import OUTLET_MANAGER
from outlets import services
from outlets.models import Lease, Offer
from tests.e2e.browser import admin_page, assert_accessible, launch, needs_chromium, shot
from tests.operations.helpers import allocated_round, make_vendor, priced_outlet

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_manager_filters_her_leases_and_opens_one_on_a_phone(live_server, make_user, make_asset):
    from playwright.sync_api import sync_playwright

    manager = make_user(OUTLET_MANAGER, username="rina")
    outlet = priced_outlet(make_asset, manager)
    vendor = make_vendor()
    round_ = allocated_round(manager, [outlet], [(vendor, [(outlet, "kiosk")])])
    offer = Offer.objects.get(application__round=round_)
    services.offer_accept(offer=offer, user=vendor.user)
    lease = Lease.objects.get(offer=offer)
    Lease.objects.create(  # an older lease of the stall, terminated
        stall=lease.stall, vendor=vendor, start_date=date(2020, 1, 1), end_date=date(2021, 1, 1),
        monthly_fee=Decimal("100000"), status="terminated", termination_reason="Disewakan lagi",
    )  # fmt: skip
    base = live_server.url

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page, problems = admin_page(browser, base, "rina")
            page.goto(f"{base}/admin/outlets/lease/")
            rows = page.locator("#result_list tbody tr")
            assert rows.count() == 2
            assert (
                "Rp 100.000,00" in rows.first.inner_text()
            )  # the newest first; Indonesian grouping
            assert "Diakhiri" in rows.first.inner_text()
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            assert_accessible(page, "admin lease list (phone)")

            page.locator("#changelist-filter").get_by_role("link", name="Aktif").click()
            page.wait_for_url("**status=active**")
            assert rows.count() == 1
            row = rows.first.inner_text()
            assert vendor.business_name in row
            assert vendor.nik_masked in row
            assert rows.first.locator("th").inner_text().strip() == str(lease.pk)
            assert "Rp 120.000,00" in row
            shot(page, "admin-lease-list-filtered-phone-id")

            rows.first.locator("th a").click()
            page.wait_for_url(f"**/admin/outlets/lease/{lease.pk}/change/**")
            content = page.content()
            assert "Lihat sewa" in page.locator("h1").inner_text()  # view, not change
            assert 'name="_save"' not in content
            assert vendor.full_name in content
            assert vendor.birth_date.isoformat() not in content
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            # checked before axe-core, whose own probes' inline styles the CSP refuses here
            assert problems == []
            assert_accessible(page, "admin lease page (phone)")
            shot(page, "admin-lease-page-phone-id")
        finally:
            browser.close()
