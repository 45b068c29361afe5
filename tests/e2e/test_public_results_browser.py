"""The public results pages (#19) in Debian's Chromium at 360 px, signed out: the list and an
allocated round's page in Indonesian and English, axe-core clean, no horizontal scroll, nothing
loaded from another host, and the verification file downloadable from the page."""

import json
from urllib.parse import urlparse

import pytest

from core.roles import OUTLET_MANAGER
from outlets import services
from tests.e2e.browser import assert_accessible, launch, needs_chromium, shot
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor, verify

# serialized_rollback: the migrated rows (districts, agencies) are back for this test and after.
pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE_360 = {"width": 360, "height": 740}


def test_the_public_pages_work_signed_out_on_a_small_phone(live_server, make_user, make_asset):
    from playwright.sync_api import sync_playwright

    manager = make_user(OUTLET_MANAGER)
    outlet = make_outlet(make_asset, manager, stalls=(("K-01", "kiosk"), ("B-01", "booth")))
    round_ = make_round(manager, [outlet], status="open", women_reserve_share=0.5, category_cap=1)
    for n in range(3):
        vendor = make_vendor(wub=n != 1, women=n == 1)
        verify(vendor, manager)
        apply(vendor, round_, (outlet, "kiosk"), (outlet, "booth"))
    services.round_close(round_=round_, user=manager)
    round_ = services.round_allocate(round_=round_, user=manager)
    base = live_server.url
    host = urlparse(base).netloc

    with sync_playwright() as playwright:
        browser = launch(playwright)
        for language in ("id", "en"):
            context = browser.new_context(
                viewport=PHONE_360,
                locale=language,
                extra_http_headers={"Accept-Language": language},
            )
            page = context.new_page()
            hosts = set()
            page.on("request", lambda request, hosts=hosts: hosts.add(urlparse(request.url).netloc))
            for path, name in (
                ("/public/rounds/", "list"),
                (f"/public/rounds/{round_.pk}/", "round"),
            ):
                response = page.goto(base + path)
                assert response.status == 200
                assert page.evaluate("document.documentElement.lang") == language
                shot(page, f"public-{name}-{language}")
                assert_accessible(page, f"{name} ({language})")
                overflow = page.evaluate(
                    "() => document.documentElement.scrollWidth - window.innerWidth"
                )
                assert overflow <= 0, f"{name} ({language}): {overflow} px of horizontal scroll"
            text = page.inner_text("main")
            assert round_.seed in text
            heading = "Aturan putaran ini" if language == "id" else "The rules of this round"
            assert heading in text
            with page.expect_download() as download:
                page.click("a[download]")
            document = json.loads(open(download.value.path(), encoding="utf-8").read())
            assert document["input"]["seed"] == round_.seed
            assert hosts == {host}
            context.close()
        browser.close()
