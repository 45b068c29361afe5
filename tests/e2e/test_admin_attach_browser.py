"""The admin's "Attach a document" page on a phone (360 px), in Indonesian, in Debian's
Chromium: an officer sends the form empty and reads each error beside its field, then attaches a
PDF to her agency's asset and lands on the stored record; axe-core finds no serious or critical
problem on the form with its errors; the Content-Security-Policy refuses nothing."""

import pytest

from documents.models import Document
from tests.conftest import MINIMAL_PDF
from tests.e2e.browser import admin_page, assert_accessible, launch, needs_chromium, shot

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_officer_attaches_a_certificate_on_a_phone(live_server, make_user, make_asset, tmp_path):
    from playwright.sync_api import sync_playwright

    make_user("asset_officer", username="ani", agency="DISDIK")
    school = make_asset(custodian_agency="DISDIK", register_code="SDN-BEJI-01")
    pdf = tmp_path / "sertifikat.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    base = live_server.url

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page, problems = admin_page(browser, base, "ani")
            page.goto(f"{base}/admin/documents/document/")
            page.get_by_test_id("attach-document").click()
            page.wait_for_url(f"{base}/admin/documents/document/attach/")

            page.fill("#id_register_code", "")
            page.get_by_test_id("attach-submit").click()
            page.wait_for_load_state()
            assert page.locator("#id_register_code_errors").is_visible()
            assert page.locator("#id_file_errors").is_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            assert_accessible(page, "attach form with errors (phone)")
            shot(page, "admin-attach-errors-phone-id")

            page.fill("#id_register_code", "SDN-BEJI-01")
            page.select_option("#id_kind", "land_certificate")
            page.fill("#id_title", "SHM 12")
            page.set_input_files("#id_file", str(pdf))
            page.get_by_test_id("attach-submit").click()
            page.wait_for_url(f"{base}/admin/documents/document/*/change/")
            assert "dilampirkan pada SDN-BEJI-01" in page.locator(".messagelist").inner_text()
            assert problems == []
            shot(page, "admin-attach-done-phone-id")
        finally:
            browser.close()
    # the database is read outside Playwright's event loop
    document = Document.objects.get()
    assert document.asset_id == school.pk
    assert document.title == "SHM 12"
