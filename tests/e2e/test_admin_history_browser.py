"""An asset's history in the admin on a phone (360 px), in Indonesian: the versions table scrolls
inside its box while the page keeps the screen's width, changes read in words, an empty reason
is a dash, nothing offers a revert, the Content-Security-Policy refuses nothing (no inline
style), no favicon 404, and axe-core finds no serious or critical problem."""

import pytest

from assets_app.services import asset_update
from core.roles import ASSET_OFFICER
from tests.e2e.browser import admin_page, assert_accessible, launch, needs_chromium, shot

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_officer_reads_an_assets_history_on_a_phone(live_server, make_user, make_asset):
    from playwright.sync_api import sync_playwright

    officer = make_user(ASSET_OFFICER, username="ani", agency="DISDIK")
    asset = make_asset(custodian_agency="DISDIK", register_code="SDN-RIWAYAT-1")
    asset_update(asset=asset, user=officer, data={"condition": "major_damage"})
    base = live_server.url

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page, problems = admin_page(browser, base, "ani")
            page.goto(f"{base}/admin/assets_app/asset/{asset.pk}/history/")

            table = page.locator("#change-history")
            headers = table.locator("thead th").all_inner_texts()
            assert [h.strip().lower() for h in headers][-1] == "perubahan"
            latest = table.locator("tbody tr").first
            cells = latest.locator("td").all_inner_texts()
            assert cells[3] == "ani"  # changed by
            assert cells[4] == "—"  # no reason given
            assert "Kondisi: Baik → Rusak Berat" in cells[5].replace("\xa0", " ")
            assert "kembali ke versi" not in page.content().lower()
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            # the version's name is not squeezed to a letter a line
            link_box = latest.locator("td").first.bounding_box()
            assert link_box["height"] < 120
            assert problems == []
            assert_accessible(page, "admin asset history (phone)")
            shot(page, "admin-asset-history-phone-id")
            assert page.title().endswith("| Aset Kota Depok dan gerai UMKM")  # not "Django"
        finally:
            browser.close()
