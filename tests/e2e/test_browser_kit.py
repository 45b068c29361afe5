"""The browser kit's accessibility check works, under the pages' own Content-Security-Policy.

A check that never reports anything would let every page pass; so it must find a known
violation, and it must run on a real page whose CSP forbids inline scripts.
"""

import pytest

from tests.e2e.browser import PHONE, axe_violations, launch, needs_chromium

pytestmark = needs_chromium


def test_axe_reports_a_known_violation():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport=PHONE)
            # A button with no accessible name is a critical violation (button-name).
            page.set_content(
                '<html lang="id"><head><title>t</title></head><body><main>'
                "<button></button></main></body></html>"
            )
            found = {v["id"] for v in axe_violations(page)}
        finally:
            browser.close()
    assert "button-name" in found


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_axe_runs_under_the_page_csp(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport=PHONE)
            response = page.goto(f"{live_server.url}/accounts/login/")
            assert "script-src" in response.headers["content-security-policy"]
            # Break the page on purpose: the check must see it even with the CSP in force.
            page.evaluate("() => document.querySelector('label').remove()")
            found = {v["id"] for v in axe_violations(page, impacts=("critical", "serious"))}
        finally:
            browser.close()
    assert "label" in found
