"""The what-if on the map and the readable pages it links to, in Debian's Chromium at a phone's
390x844 and a desktop's 1440x900: a planner picks two neighbouring schools from the asset panel,
runs the what-if and reads the same answer the API gives for that set; axe-core finds no serious
or critical violation; screenshots are left in `test-results/`."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from geodata.boundaries import kelurahan
from tests.e2e.browser import DESKTOP, PHONE, assert_accessible, launch, needs_chromium, shot
from tests.outlets.helpers import make_outlet

# serialized_rollback: the migrated rows (districts, agencies) are back for this test and after.
pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BEJI = "32.76.06"
TIMEOUT_MS = 60_000
SCENARIO_URL = "/api/v1/scenarios/repurposing/"
# About 450 m apart: each school's radius reaches the other's residents.
OFFSET_DEG = 0.004


def beji_point() -> tuple[float, float]:
    kel = next(b for b in kelurahan() if b.parent_code == BEJI)
    point = kel.geometry.representative_point()
    return round(point.x, 6), round(point.y, 6)


def session_cookie(user, base: str) -> dict:
    """A signed-in session for `user` in the live server's database, as a browser cookie."""
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}


def wait_for_load(page, after: int) -> None:
    page.wait_for_function(
        "n => window.depokMap && window.depokMap.idle && window.depokMap.loads > n",
        arg=after,
        timeout=TIMEOUT_MS,
    )


def open_asset(page, asset) -> None:
    """Centre the map on the asset at street zoom, whatever room the map has on this screen,
    and click its marker (the open details panel closed first: on a phone it covers the map)."""
    close = page.locator('[data-testid="details"]:not([hidden]) button.close')
    if close.count():
        close.click()
    loads = page.evaluate("() => window.depokMap.loads")
    page.evaluate(
        "([lat, lon]) => { window.depokMap.map.setView([lat, lon], 16, {animate: false}); }",
        [asset.lat, asset.lon],
    )
    wait_for_load(page, loads)
    point = page.evaluate("id => window.depokMap.pagePointOf('assets', id)", asset.pk)
    assert point is not None, f"asset {asset.pk} is not drawn"
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector(f'[data-testid="details"][data-asset-id="{asset.pk}"]:not([hidden])')
    page.wait_for_selector('[data-testid="scenario"]')


def test_a_planner_runs_the_what_if_for_two_schools_on_the_map(live_server, make_user, make_asset):
    from playwright.sync_api import sync_playwright

    # given: two neighbouring primary schools in Beji, and the API's answer for the pair
    planner = make_user("planner")
    lon, lat = beji_point()
    schools = [
        make_asset(name=name, use="education", facility_type="sd", lon=x, lat=lat)
        for name, x in (("SDN Beji Timur", lon), ("SDN Beji Barat", lon - OFFSET_DEG))
    ]
    api = APIClient()
    api.force_authenticate(planner)
    answer = api.post(SCENARIO_URL, {"assets": [s.pk for s in schools]}, format="json")
    if answer.status_code == 404:
        pytest.skip(f"the what-if endpoint {SCENARIO_URL} is not there yet (404)")
    assert answer.status_code == 200, answer.content
    expected = answer.json()
    base = live_server.url
    # Before Playwright starts its event loop: the ORM refuses to run inside one.
    cookie = session_cookie(planner, base)

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for size_name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
                context = browser.new_context(
                    viewport=viewport, locale="en-US", extra_http_headers={"Accept-Language": "en"}
                )
                context.add_cookies([cookie])
                page = context.new_page()
                page.set_default_timeout(TIMEOUT_MS)
                errors: list[str] = []
                page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
                page.on(
                    "console",
                    lambda msg, errors=errors: errors.append(msg.text)
                    if "Content Security Policy" in msg.text
                    else None,
                )

                # when: the planner opens each school on the map and adds it from the asset panel
                page.goto(f"{base}/map/")
                wait_for_load(page, 0)
                close_drawer(page)
                for school in schools:
                    open_asset(page, school)
                    page.click('[data-testid="scenario-add"]')
                    page.wait_for_selector('[data-testid="scenario-remove"]')
                listed = page.locator('[data-testid="scenario-list"] li')
                assert listed.all_inner_texts() == [s.name for s in schools]
                page.click('[data-testid="scenario-run"]')
                page.wait_for_selector('[data-testid="scenario-result"]')

                # then: the panel says what the API says for the same set
                verdict = page.locator('[data-testid="scenario-verdict"]').inner_text()
                assert verdict == (
                    "Together: every asset of the set may be repurposed."
                    if expected["repurposable_together"]
                    else "Together: not every asset of the set may be repurposed."
                )
                rows = page.locator('[data-testid="scenario-asset-verdict"]')
                assert [rows.nth(i).get_attribute("data-asset") for i in range(rows.count())] == [
                    str(v["asset"]) for v in expected["verdicts"]
                ]
                for i, v in enumerate(expected["verdicts"]):
                    cells = rows.nth(i).locator("td").all_inner_texts()
                    yes_no = {True: "Yes", False: "No"}
                    assert cells[:2] == [
                        yes_no[v["alone"]["repurposable"]],
                        yes_no[v["together"]["repurposable"]],
                    ]
                kel_rows = page.locator('[data-testid="scenario-kelurahan"]')
                assert [
                    kel_rows.nth(i).get_attribute("data-code") for i in range(kel_rows.count())
                ] == [k["code"] for k in expected["kelurahan"]]
                assert page.locator('[data-testid="scenario-outside"]').count() == len(
                    expected["totals"]
                )
                for total in expected["totals"]:
                    text = page.locator('[data-testid="scenario-outside"]').first.inner_text()
                    assert text.startswith("Primary school (SD): ")
                    assert f"{total['outside_every_radius_after']:,}" in text
                # the asset names link to their readable pages
                link = rows.first.locator("a")
                assert link.get_attribute("href") == f"/aset/{expected['verdicts'][0]['asset']}/"
                page.locator('[data-testid="scenario-result"]').scroll_into_view_if_needed()
                shot(page, f"scenario-{size_name}")
                assert_accessible(page, f"map with the what-if ({size_name})")

                # when: the planner clears the set, the list and the result are gone
                page.click('[data-testid="scenario-clear"]')
                assert page.locator('[data-testid="scenario-list"]').count() == 0
                assert page.locator('[data-testid="scenario-result"]').count() == 0
                assert errors == []
                context.close()
        finally:
            browser.close()


def close_drawer(page) -> None:
    """On a phone the map's side panel may be a drawer over the map: close it if it is open."""
    toggle = page.locator('[aria-controls][aria-expanded="true"]')
    if toggle.count() and toggle.first.is_visible():
        toggle.first.click()


def test_the_readable_pages_at_phone_and_desktop_size(live_server, make_user, make_asset):
    from playwright.sync_api import sync_playwright

    planner = make_user("planner")
    school = make_asset(name="SDN Beji Timur", use="education", facility_type="sd")
    outlet = make_outlet(make_asset, make_user("outlet_manager"), stalls=(("K-01", "kiosk"),))
    base = live_server.url
    cookie = session_cookie(planner, base)

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for size_name, viewport in (
                ("phone", {"width": 360, "height": 740}),
                ("desktop", DESKTOP),
            ):
                for language in ("id", "en"):
                    context = browser.new_context(
                        viewport=viewport,
                        locale=language,
                        extra_http_headers={"Accept-Language": language},
                    )
                    context.add_cookies([cookie])
                    page = context.new_page()
                    for path, name in (
                        (f"/aset/{school.pk}/", "asset"),
                        (f"/gerai/{outlet.pk}/", "outlet"),
                    ):
                        response = page.goto(base + path)
                        assert response.status == 200
                        assert page.evaluate("document.documentElement.lang") == language
                        shot(page, f"page-{name}-{size_name}-{language}")
                        assert_accessible(page, f"{name} page ({size_name}, {language})")
                        overflow = page.evaluate(
                            "() => document.documentElement.scrollWidth - window.innerWidth"
                        )
                        assert overflow <= 0, f"{name} ({size_name}): {overflow} px of scroll"
                    context.close()
        finally:
            browser.close()
