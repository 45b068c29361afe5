"""An approver decides a change of use in the admin on a phone (360 px), in Indonesian: from the
reviewed proposal's page she opens the approve form, fills the decree and hand-over record
(dates through the browser's date input, the signed PDF uploaded) and submits; the missing
hand-over number is refused beside its field with nothing stored, and once given the asset moves
to the outlets agency with the decree attached. The form keeps the screen's width, the
Content-Security-Policy refuses nothing, and axe-core finds no serious or critical problem."""

import pytest

from assets_app.agencies import outlets_agency
from assets_app.models import Asset, Reclassification
from assets_app.services import reclassification_propose, reclassification_review
from core.roles import ASSET_APPROVER, ASSET_OFFICER
from documents.models import Document
from tests.conftest import MINIMAL_PDF
from tests.e2e.browser import admin_page, assert_accessible, launch, needs_chromium, shot

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_approver_approves_a_change_of_use_on_a_phone(live_server, make_user, make_asset):
    from playwright.sync_api import sync_playwright

    proposer = make_user(ASSET_OFFICER, username="ani", agency="DISDIK")
    reviewer = make_user(ASSET_OFFICER, username="budi", agency="BKD")
    make_user(ASSET_APPROVER, username="citra")
    asset = make_asset(
        register_code="DISDIK-GEDUNG-9", custodian_agency="DISDIK", use="office", status="idle"
    )
    proposal = reclassification_propose(asset=asset, user=proposer, reason="Untuk gerai UMKM")
    reclassification_review(reclassification=proposal, user=reviewer, note="Sesuai KIB")
    base = live_server.url
    change = f"{base}/admin/assets_app/reclassification/{proposal.pk}/change/"

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page, problems = admin_page(browser, base, "citra")
            page.goto(change)
            assert page.locator("a.decision-approve").count() == 1
            assert page.locator("a.decision-review, a.decision-withdraw").count() == 0
            shot(page, "admin-reclassification-steps-phone-id")

            page.click("text=Setujui pengalihan status penggunaan")
            page.wait_for_url(f"{base}/admin/assets_app/reclassification/{proposal.pk}/approve/")
            assert (
                page.locator("label[for=id_decree_number]")
                .inner_text()
                .startswith("Nomor SK Wali Kota")
            )
            assert page.get_attribute("#id_decree_date", "type") == "date"
            page.fill("#id_note", "Disetujui sesuai telaah")
            page.fill("#id_decree_number", "SK 028/123/Kpts/2026")
            page.fill("#id_decree_date", "2026-03-02")
            page.set_input_files(
                "#id_decree_file",
                files=[{"name": "sk.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}],
            )
            page.fill("#id_handover_date", "2026-03-09")
            # Without the hand-over record's number: the service's refusal beside its field.
            page.click("input[name=_take]")
            page.wait_for_selector(".field-handover_number .errorlist")
            assert page.locator(".errorlist").count() == 1
            assert page.get_attribute("#id_handover_number", "aria-invalid") == "true"
            assert page.input_value("#id_decree_number") == "SK 028/123/Kpts/2026"
            checked = len(problems)
            assert_accessible(page, "admin approve form with an error (phone)")
            del problems[checked:]  # axe-core's own probes' inline styles, refused by the CSP

            page.set_input_files(
                "#id_decree_file",
                files=[{"name": "sk.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}],
            )
            page.fill("#id_handover_number", "BAST 028/45/2026")
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            checked = len(problems)
            assert_accessible(page, "admin approve form (phone)")
            del problems[checked:]
            shot(page, "admin-reclassification-approve-phone-id")

            page.click("input[name=_take]")
            page.wait_for_url(change)
            success = page.locator(".messagelist .success")
            assert success.count() == 1
            assert "disetujui" in success.inner_text().lower()
            assert page.locator("a.decision-approve").count() == 0
            blocking = [p for p in problems if "/admin/login/" not in p]
            assert blocking == [], "\n".join(blocking)
            assert_accessible(page, "admin reclassification page after approval (phone)")
        finally:
            browser.close()

    proposal = Reclassification.objects.get(pk=proposal.pk)
    assert proposal.status == "approved"
    assert proposal.decided_by.username == "citra"
    assert str(proposal.handover_date) == "2026-03-09"
    assert Asset.objects.get(pk=asset.pk).custodian_agency_id == outlets_agency().code
    # One decree: the refused first submission left none behind.
    assert Document.objects.count() == 1
    assert Document.objects.filter(reclassification=proposal, kind="decree").count() == 1
