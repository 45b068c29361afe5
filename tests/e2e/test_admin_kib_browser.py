"""The admin's "KIB and reports" page on a phone (360 px), in Indonesian, in Debian's Chromium:
an officer imports a KIB A workbook with one bad row and reads the refusal with the row and the
field in a table that scrolls inside its box; axe-core finds no serious or critical problem; the
Content-Security-Policy refuses nothing; nothing was written."""

import pytest

from assets_app.models import Asset
from tests.assets_app.test_kib import land_row, workbook
from tests.e2e.browser import admin_page, assert_accessible, launch, needs_chromium, shot

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_officer_reads_a_refused_import_on_a_phone(live_server, make_user, tmp_path):
    from playwright.sync_api import sync_playwright

    make_user("asset_officer", username="ani", agency="BKD")
    rows = [land_row(i) for i in range(1, 21)]
    rows[4]["Kode Barang"] = "1.3.3.01.01.01.001"  # a building code on land, data row 5
    path = workbook("A", rows, tmp_path)
    base = live_server.url

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page, problems = admin_page(browser, base, "ani")
            page.goto(f"{base}/admin/assets_app/asset/")
            page.get_by_test_id("kib-reports-link").click()
            page.wait_for_url(f"{base}/admin/kib/")
            assert_accessible(page, "KIB and reports (phone)")

            page.select_option("#id_import-kind", "A")
            page.uncheck("#id_import-dry_run")
            page.set_input_files("#id_import-file", path)
            page.get_by_test_id("kib-import-submit").click()
            page.wait_for_selector('[data-testid="kib-import-errors"]')
            first = page.locator('[data-testid="kib-import-errors"] tbody tr').first
            assert first.locator("td").all_inner_texts()[:2] == ["5", "item_code"]
            assert "tidak ada yang ditulis" in page.locator(".errornote").inner_text()
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            assert_accessible(page, "refused KIB import (phone)")
            shot(page, "admin-kib-refused-phone-id")
            assert problems == []
        finally:
            browser.close()
    assert Asset.objects.count() == 0
