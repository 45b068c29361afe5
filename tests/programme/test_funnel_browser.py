"""The funnel panel on the planners' map, in a real browser (Chromium), in English and
Indonesian: the figures the API gives, laid out per cohort year and programme; no panel for a
role that may not read the funnel; accessible (axe-core)."""

from __future__ import annotations

import pytest

from programme import services
from tests.e2e.browser import CHROMIUM, assert_accessible, launch, shot
from tests.programme.helpers import SAWANGAN, cohort_csv, cohort_niks, row

PASSWORD = "Corong-Depok-2026"
TIMEOUT_MS = 15_000

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM}")


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/map/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click('[data-testid="login-submit"]')
    page.wait_for_url(f"{base}/map/")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_funnel_panel_in_both_languages(live_server, make_user):
    from playwright.sync_api import sync_playwright

    staff = make_user("programme_staff", username="dkum", password=PASSWORD)
    make_user("planner", username="rina", password=PASSWORD)
    make_user("asset_officer", username="budi", password=PASSWORD)
    rows = [row(n) for n in cohort_niks(40_000, 3)] + [
        row(n, "women", 2024, SAWANGAN) for n in cohort_niks(40_100, 2, female=True)
    ]
    services.cohort_list_import(data=cohort_csv(rows), file_name="l.csv", user=staff)

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for locale, heading, wub_cells, women_cells in (
                (
                    "en-US",
                    "Programme funnel",
                    ["WUB", "1,750", "3", "0", "0", "0", "0", "0"],
                    ["Women entrepreneurs", "—", "2", "0", "0", "0", "0", "0"],
                ),
                (
                    "id-ID",
                    "Corong program",
                    ["WUB", "1.750", "3", "0", "0", "0", "0", "0"],
                    ["Wirausaha perempuan", "—", "2", "0", "0", "0", "0", "0"],
                ),
            ):
                page = browser.new_page(viewport={"width": 1280, "height": 900}, locale=locale)
                errors = []
                page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
                _sign_in(page, live_server.url, "rina")
                page.wait_for_selector('[data-testid="funnel-years"]', timeout=TIMEOUT_MS)
                panel = page.locator('[data-testid="funnel-panel"]')
                assert panel.locator("h2").text_content() == heading
                wub = panel.locator('[data-testid="funnel-2023-wub"]')
                assert wub.locator("th").inner_text() == "2023"
                assert wub.locator("td").all_inner_texts() == wub_cells
                women = panel.locator('[data-testid="funnel-2024-women"] td')
                assert women.all_inner_texts() == women_cells
                assert panel.locator('[data-testid="funnel-csv"]').get_attribute("href") == (
                    "/api/v1/programme/funnel/?format=csv"
                )
                assert errors == []
                assert_accessible(page, f"map with the funnel panel ({locale})")
                shot(page, f"programme-funnel-{locale}")
                page.close()

            # an asset officer may not read the funnel: no panel, and the page does not ask
            # (a refused request would be a 403 in the console on every visit)
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
            asked = []
            page.on("request", lambda r: asked.append(r.url) if "/funnel/" in r.url else None)
            _sign_in(page, live_server.url, "budi")
            page.wait_for_function(
                "() => window.depokMap && window.depokMap.idle", timeout=TIMEOUT_MS
            )
            assert page.locator('[data-testid="funnel-panel"]').is_hidden()
            assert asked == []
            page.close()
        finally:
            browser.close()
