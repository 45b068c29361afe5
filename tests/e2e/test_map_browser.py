"""The planners' map in a real browser: Debian's Chromium driven by Playwright, no browser download.

A planner signs in through the login form, opens /map/, filters by kecamatan, and the map must
draw exactly the assets the API returns for that filter; clicking one shows its details and its
assessment. A screenshot is left in `test-results/map.png`.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from geodata.boundaries import kelurahan

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = Path(settings.BASE_DIR) / "test-results" / "map.png"
PASSWORD = "Peta-Depok-2024"
BEJI = "32.76.06"
CIMANGGIS = "32.76.02"
TIMEOUT_MS = 15_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"needs Debian's Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)",
)


def inside_points(kecamatan_code: str, n: int) -> list[tuple[float, float]]:
    """One point inside each of the first `n` kelurahan of a kecamatan (far apart, never shared)."""
    points = []
    for boundary in kelurahan():
        if boundary.parent_code == kecamatan_code and len(points) < n:
            point = boundary.geometry.representative_point()
            points.append((round(point.x, 6), round(point.y, 6)))
    assert len(points) == n
    return points


def wait_for_load(page, after: int) -> None:
    """Wait until the map has finished a load cycle that started after `after` completed ones."""
    page.wait_for_function(
        "n => window.depokMap && window.depokMap.idle && window.depokMap.loads > n",
        arg=after,
        timeout=TIMEOUT_MS,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_planner_filters_the_map_and_opens_an_asset(live_server, make_user, make_asset):
    from playwright.sync_api import sync_playwright

    # given: a planner and assets in two kecamatan, one of them assessed as repurposable
    planner = make_user("planner", username="rina", password=PASSWORD)
    beji_points = inside_points(BEJI, 4)
    beji = [
        make_asset(name="SDN Beji 1", use="education", facility_type="sd", lon=x, lat=y)
        if i == 0
        else make_asset(
            name=f"Gedung Beji {i}",
            use="office",
            status="idle",
            land_area_m2=900.0,
            lon=x,
            lat=y,
        )
        for i, (x, y) in enumerate(beji_points[:3])
    ]
    market = make_asset(
        name="Gerai UMKM Beji",
        use="economic",
        status="designated_economic",
        lon=beji_points[3][0],
        lat=beji_points[3][1],
    )
    cimanggis = [
        make_asset(
            name=f"Puskesmas Cimanggis {i}", use="health", facility_type="puskesmas", lon=x, lat=y
        )
        for i, (x, y) in enumerate(inside_points(CIMANGGIS, 2))
    ]
    assert {a.kecamatan_id for a in [*beji, market]} == {BEJI}
    assert {a.kecamatan_id for a in cimanggis} == {CIMANGGIS}
    api = APIClient()
    api.force_authenticate(planner)
    # Assessing through the API stores the answer, so the map can ring repurposable assets.
    for asset in beji[1:]:
        assert api.get(f"/api/v1/assets/{asset.pk}/assessment/").status_code == 200
    # An outlet with four vacant stalls on the designated asset, opened through the API.
    manager = APIClient()
    manager.force_authenticate(make_user("outlet_manager"))
    opened = manager.post("/api/v1/outlets/", {"asset": market.pk, "name": "Gerai Beji"})
    assert opened.status_code == 201
    stalls = [
        {"code": f"K-0{n}", "kind": "kiosk", "area_m2": 6.5, "monthly_fee": "250000.00"}
        for n in range(1, 5)
    ]
    assert manager.post(f"/api/v1/outlets/{opened.json()['id']}/stalls/", stalls).status_code == 201
    target = beji[1]
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            # English, whatever the default language: the assertions read English strings.
            page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="en-US")
            page.set_default_timeout(TIMEOUT_MS)
            browser_errors = []
            page.on("pageerror", lambda exc: browser_errors.append(str(exc)))
            # Chromium reports each thing the Content-Security-Policy refused on the console.
            csp_refusals = []
            page.on(
                "console",
                lambda msg: csp_refusals.append(msg.text)
                if "Content Security Policy" in msg.text
                else None,
            )

            # when: the planner opens the map and is sent through the real sign-in form
            page.goto(f"{live_server.url}/map/")
            assert page.url == f"{live_server.url}/accounts/login/?next=/map/"
            page.fill("#id_username", "rina")
            page.fill("#id_password", PASSWORD)
            page.click('[data-testid="login-submit"]')
            page.wait_for_url(f"{live_server.url}/map/")
            wait_for_load(page, 0)

            # then: boundaries are drawn and the whole city is shown as counts per kecamatan
            state = page.evaluate("() => window.depokMap.snapshot()")
            assert state["counts"]["kecamatan"] == 11
            assert state["counts"]["kelurahan"] == 63
            assert state["errors"] == {}
            assert state["mode"] == "aggregate"
            assert state["numberMatched"]["assets"] == 6
            assert state["counts"]["aggregates"] == 2
            assert page.locator('[data-testid="aggregate"]').all_inner_texts() == ["2", "4"]
            assert state["counts"]["outlets"] == 1
            page.screenshot(path=str(SCREENSHOT.with_name("map-overview.png")))
            programme = page.request.get(f"{live_server.url}/api/v1/stats/programme/")
            assert programme.status == 200
            page.wait_for_selector('[data-testid="programme-kecamatan"]')
            assert page.locator('[data-testid="programme-panel"]').is_visible()
            # the panel lays the figures out: Beji has the outlet, its four stalls all vacant
            beji_row = page.locator(f'[data-testid="programme-kecamatan"] tr[data-code="{BEJI}"]')
            assert beji_row.locator("td").all_inner_texts() == ["Beji", "0 / 0", "1", "0 / 4", "0%"]
            assert (
                page.locator('[data-testid="without-outlet-kecamatan"]')
                .inner_text()
                .startswith("Kecamatan: 10 of 11")
            )

            # when: the planner picks a kecamatan
            loads = page.evaluate("() => window.depokMap.loads")
            page.select_option('[data-testid="filter-district"]', BEJI)
            wait_for_load(page, loads)

            # then: the map draws exactly what the API answers for the same filter
            answer = page.request.get(
                f"{live_server.url}/api/v1/assets/?district={BEJI}&format=geojson&limit=1000"
            )
            assert answer.status == 200
            expected = answer.json()
            assert expected["numberMatched"] == 4
            state = page.evaluate("() => window.depokMap.snapshot()")
            assert state["mode"] == "points"
            assert state["counts"]["assets"] == expected["numberMatched"]
            assert state["numberMatched"]["assets"] == expected["numberMatched"]
            assert sorted(page.evaluate("() => window.depokMap.featureIds('assets')")) == sorted(
                f["id"] for f in expected["features"]
            )
            assert page.locator('[data-testid="asset-status"]').inner_text() == (
                "Assets in view: showing 4 of 4."
            )
            outlets = page.request.get(
                f"{live_server.url}/api/v1/outlets/?district={BEJI}&format=geojson&limit=1000"
            ).json()
            assert [f["properties"]["stalls"]["vacant"] for f in outlets["features"]] == [4]
            assert state["counts"]["outlets"] == outlets["numberMatched"] == 1
            assert page.evaluate("() => window.depokMap.featureIds('outlets')") == [
                opened.json()["id"]
            ]

            # when: the planner clicks an asset
            point = page.evaluate("id => window.depokMap.pagePointOf('assets', id)", target.pk)
            page.mouse.click(point["x"], point["y"])
            page.wait_for_selector('[data-testid="assessment"][data-state="loaded"]')

            # then: its details and its assessment are shown, with a link to its history
            details = page.locator('[data-testid="details"]')
            assert details.get_attribute("data-asset-id") == str(target.pk)
            assert page.locator('[data-testid="details-name"]').inner_text() == "Gedung Beji 1"
            assessment = page.request.get(
                f"{live_server.url}/api/v1/assets/{target.pk}/assessment/"
            ).json()
            checks = page.locator('[data-testid="assessment-check"]')
            assert [checks.nth(i).get_attribute("data-rule") for i in range(checks.count())] == [
                check["rule"] for check in assessment["checks"]
            ]
            verdict = page.locator('[data-testid="assessment-verdict"]').inner_text()
            assert verdict == (
                "Repurposable: every check passed."
                if assessment["repurposable"]
                else "Not repurposable: at least one check failed."
            )
            # a readable page, not the API's JSON (a planner is told the history is for officers)
            assert page.locator('[data-testid="asset-page-link"]').get_attribute("href") == (
                f"/aset/{target.pk}/"
            )
            assert page.locator('[data-testid="history-link"]').get_attribute("href") is None
            page.screenshot(path=str(SCREENSHOT))

            # when: a layer's request fails, the page says so and keeps the rest
            page.route("**/api/v1/outlets/**", lambda route: route.fulfill(status=503, body=""))
            loads = page.evaluate("() => window.depokMap.loads")
            page.check('[data-testid="filter-has-vacancy"]')
            wait_for_load(page, loads)
            assert page.locator('[data-testid="message-outlets"]').inner_text() == (
                "Could not load outlets: the server answered 503."
            )
            state = page.evaluate("() => window.depokMap.snapshot()")
            assert state["counts"]["assets"] == 4
            assert state["counts"]["outlets"] == 0
            assert browser_errors == []
            assert csp_refusals == []

            # the API's Swagger UI sets itself up under the same policy
            docs = page.goto(f"{live_server.url}/api/v1/docs/")
            assert "script-src 'self'" in docs.headers["content-security-policy"]
            page.wait_for_selector(".swagger-ui .opblock", timeout=TIMEOUT_MS)
            assert csp_refusals == []
            assert browser_errors == []
        finally:
            browser.close()
