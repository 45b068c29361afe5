"""The admin's asset page in Debian's Chromium (#17 item 8): an officer signs in, opens her
agency's asset, sees its point on the Leaflet map (no CDN, nothing blocked by the
Content-Security-Policy), drags it, and saves; the register has the moved point. axe-core finds
no serious or critical problem on the page."""

import json
from urllib.parse import urlparse

import pytest

from assets_app.models import Asset
from core.roles import ASSET_OFFICER
from tests.e2e.browser import DESKTOP, assert_accessible, launch, needs_chromium, shot

# serialized_rollback: the migrated rows (districts, agencies) are back for this test and after.
pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_officer_moves_an_assets_point_on_the_admin_map(live_server, make_user, make_asset):
    from playwright.sync_api import sync_playwright

    make_user(ASSET_OFFICER, username="ani", agency="DISDIK")
    asset = make_asset(custodian_agency="DISDIK", register_code="SDN-KUKUSAN-1")
    before = asset.geometry["coordinates"]
    base = live_server.url
    host = urlparse(base).netloc

    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(viewport=DESKTOP, locale="id")
        page = context.new_page()
        hosts, problems = set(), []
        page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
        page.on(
            "console",
            lambda message: problems.append(f"{page.url}: {message.text[:80]}")
            if message.type == "error"
            else None,
        )
        page.on("pageerror", lambda error: problems.append(str(error)))

        page.goto(f"{base}/admin/login/?next=/admin/")
        page.fill("#id_username", "ani")
        page.fill("#id_password", "Pass-word-123")
        page.click("input[type=submit]")
        page.wait_for_url(f"{base}/admin/")
        page.goto(f"{base}/admin/assets_app/asset/{asset.pk}/change/")

        page.wait_for_selector(".admin-geo-map.leaflet-container")
        marker = page.locator(".admin-geo-map .leaflet-marker-icon")
        assert marker.count() == 1
        assert marker.is_visible()
        marker.scroll_into_view_if_needed()
        shot(page, "admin-asset-map")
        checked = len(problems)
        assert_accessible(page, "admin asset page")
        # axe-core's own probes (evaluated through DevTools) add inline styles that the page's
        # Content-Security-Policy refuses and reports; they are the checker's, not the page's.
        del problems[checked:]

        box = marker.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 4
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 30, y + 20, steps=8)
        page.mouse.up()
        moved = json.loads(page.input_value("textarea[name=geometry]"))
        assert moved["type"] == "Point"
        assert moved["coordinates"][0] > before[0]  # east
        assert moved["coordinates"][1] < before[1]  # south

        page.click("input[name=_save]")
        page.wait_for_url(f"{base}/admin/assets_app/asset/")
        assert page.locator(".messagelist .success").count() == 1
        browser.close()

    asset = Asset.objects.get(pk=asset.pk)
    assert asset.geometry == moved
    assert (asset.lon, asset.lat) == tuple(moved["coordinates"])
    assert asset.history.first().history_user.username == "ani"
    assert hosts == {host}, f"requests left the site: {hosts - {host}}"
    # Nothing refused by the Content-Security-Policy, no script error, no failed load but the
    # favicon the admin's sign-in page asks for.
    blocking = [p for p in problems if not p.startswith(f"{base}/admin/login/")]
    assert blocking == [], "\n".join(blocking)
