"""The map as planners use it (issue 18, item 5), in Debian's Chromium at 390x844 and 1440x900.

On a phone the side panel is a drawer and the map keeps at least 70% of the screen; district
names are drawn on the map; an outlet standing on its asset answers the click; markers keep 3:1
contrast over the shading; shares read as percentages; links open readable pages; each layer
asks only for the properties it draws and the boundaries for the zoom; an expired session
offers sign-in back to the map. axe-core finds no serious or critical violation, drawer open and
closed. The legend is a button that starts folded on a phone and open on a desktop, and the
kecamatan names shown never overlap (others are hidden until zoomed in). Screenshots:
test-results/map-phone-closed.png, map-phone-open.png, map-desktop.png, map-desktop-district.png,
map-phone-legend-closed.png, map-phone-legend-open.png, map-desktop-legend-open.png.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from geodata.boundaries import kelurahan
from tests.e2e.browser import DESKTOP, PHONE, assert_accessible, launch, needs_chromium, shot
from tests.outlets.helpers import make_outlet

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BEJI = "32.76.06"
TIMEOUT_MS = 20_000
MAP_BACKGROUND = "#e9eef2"  # .map in map.css: what the shading is drawn over
SHADING_OPACITY = 0.7  # choroplethStyle in map.js


def beji_point() -> tuple[float, float]:
    kel = next(b for b in kelurahan() if b.parent_code == BEJI)
    point = kel.geometry.representative_point()
    return round(point.x, 6), round(point.y, 6)


def session_cookie(user, base: str) -> dict:
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}


def wait_for_load(page, after: int) -> None:
    page.wait_for_function(
        "n => window.depokMap && window.depokMap.idle && window.depokMap.loads > n",
        arg=after,
        timeout=TIMEOUT_MS,
    )


def rgb(color: str) -> tuple[float, float, float]:
    color = color.lstrip("#")
    return tuple(int(color[i : i + 2], 16) / 255 for i in (0, 2, 4))


def blend(top: str, bottom: str, alpha: float) -> tuple[float, float, float]:
    return tuple(alpha * t + (1 - alpha) * b for t, b in zip(rgb(top), rgb(bottom), strict=True))


def luminance(c: tuple[float, float, float]) -> float:
    linear = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_formula_matches_wcag():
    # WCAG's own reference points: black on white 21:1, a colour on itself 1:1.
    assert round(contrast(rgb("#000000"), rgb("#ffffff")), 2) == 21.0
    assert contrast(rgb("#777777"), rgb("#777777")) == 1.0


def test_the_map_on_a_phone_and_a_desktop(live_server, make_user, make_asset):
    from playwright.sync_api import sync_playwright

    # given: a planner, a school in Beji and an outlet standing on its own asset there
    planner = make_user("planner")
    lon, lat = beji_point()
    school = make_asset(
        name="SDN Beji Timur", use="education", facility_type="sd", lon=lon, lat=lat
    )
    outlet = make_outlet(
        make_asset,
        make_user("outlet_manager"),
        stalls=(("K-01", "kiosk"),),
        lon=lon + 0.003,
        lat=lat,
    )
    outlet_asset_id = outlet.asset_id
    outlet_id, outlet_name = outlet.pk, outlet.name
    base = live_server.url
    cookie = session_cookie(planner, base)

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            # ---------------------------------------------------------------- phone
            context = browser.new_context(
                viewport=PHONE, locale="en-US", extra_http_headers={"Accept-Language": "en"}
            )
            context.add_cookies([cookie])
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on(
                "console",
                lambda msg: errors.append(msg.text)
                if "Content Security Policy" in msg.text
                else None,
            )
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url) if "/api/v1/" in r.url else None)
            page.goto(f"{base}/map/")
            wait_for_load(page, 0)

            # then: the map keeps at least 70% of the screen, the drawer is closed
            box = page.locator('[data-testid="map"]').bounding_box()
            share = box["width"] * box["height"] / (PHONE["width"] * PHONE["height"])
            assert share >= 0.70, f"the map has {share:.0%} of the phone screen"
            toggle = page.locator('[data-testid="drawer-toggle"]')
            assert toggle.is_visible()
            assert toggle.get_attribute("aria-expanded") == "false"
            assert not page.locator('[data-testid="sidebar"]').is_visible()
            # district names are on the map: the eleven kecamatan at city zoom
            assert page.locator('[data-testid="label-kecamatan"]').count() == 11
            assert page.locator('[data-testid="label-kelurahan"]').count() == 0
            assert page.locator('[data-testid="language-switch"]').is_visible()
            shot(page, "map-phone-closed")
            assert_accessible(page, "the map on a phone, drawer closed")

            # when: the planner opens the drawer
            toggle.click()
            page.wait_for_function("() => document.activeElement.id === 'filter-district'")
            # then: it is open, focus is in it, and the map keeps its size under it
            assert toggle.get_attribute("aria-expanded") == "true"
            assert page.locator('[data-testid="sidebar"]').is_visible()
            assert page.locator('[data-testid="filter-district"]').is_visible()
            page.wait_for_timeout(300)  # the slide-in
            shot(page, "map-phone-open")
            assert_accessible(page, "the map on a phone, drawer open")
            # Escape closes it and gives focus back to the toggle
            page.keyboard.press("Escape")
            assert toggle.get_attribute("aria-expanded") == "false"
            page.wait_for_function("() => document.activeElement.id === 'drawer-toggle'")
            page.wait_for_timeout(300)
            assert not page.locator('[data-testid="sidebar"]').is_visible()
            assert errors == []
            context.close()

            # ---------------------------------------------------------------- desktop
            context = browser.new_context(
                viewport=DESKTOP, locale="en-US", extra_http_headers={"Accept-Language": "en"}
            )
            context.add_cookies([cookie])
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("request", lambda r: requests.append(r.url) if "/api/v1/" in r.url else None)
            page.goto(f"{base}/map/")
            wait_for_load(page, 0)
            assert page.locator('[data-testid="sidebar"]').is_visible()
            assert not page.locator('[data-testid="drawer-toggle"]').is_visible()
            assert page.locator('[data-testid="label-kecamatan"]').count() == 11
            shot(page, "map-desktop")
            assert_accessible(page, "the map on a desktop")

            # markers keep 3:1 over every shading class, the ring keeps the use's colour
            drawn = page.evaluate(
                """async (ids) => {
                    const styles = await import('/static/map/styles.js');
                    const figures = await import('/static/map/figures.js');
                    return {
                        outline: styles.MARKER_OUTLINE, ring: styles.RING_COLOR,
                        outlet: styles.OUTLET_OUTLINE, ramp: figures.RAMP,
                        noData: figures.NO_DATA_COLOR,
                        plain: styles.assetStyle({properties: {use: 'vacant'}}),
                        ringed: styles.assetStyle(
                            {properties: {use: 'vacant', repurposable: true}}),
                        share: figures.figureValueText('facilities.sd.covered_share', 0.963),
                        count: figures.figureValueText('facilities.sd.count', 1),
                        vacant: figures.figureLabel('facilities.sd.covered_share'),
                    };
                }""",
                [],
            )
            backgrounds = [blend(c, MAP_BACKGROUND, SHADING_OPACITY) for c in drawn["ramp"]]
            backgrounds += [blend(drawn["noData"], MAP_BACKGROUND, SHADING_OPACITY), rgb("#ffffff")]
            for stroke in (drawn["outline"], drawn["ring"], drawn["outlet"]):
                worst = min(contrast(rgb(stroke), bg) for bg in backgrounds)
                assert worst >= 3.0, f"{stroke} has {worst:.2f}:1 over the shading"
            use_colors = page.evaluate(
                "() => JSON.parse(document.getElementById('map-config').textContent).use_colors"
            )
            assert (
                drawn["ringed"]["fillColor"] == drawn["plain"]["fillColor"] == use_colors["vacant"]
            )
            assert drawn["ringed"]["fillOpacity"] == 1
            # the fill left inside the ring is wider than a plain marker's whole disc
            ringed, plain = drawn["ringed"], drawn["plain"]
            assert ringed["radius"] - ringed["weight"] / 2 > plain["radius"]
            # shares are percentages
            assert drawn["share"] == "96.3%"
            assert drawn["count"] == "1"

            # when: the planner zooms to the outlet and clicks it (its asset lies under it)
            loads = page.evaluate("() => window.depokMap.loads")
            page.evaluate(
                "([lat, lon]) => {"
                " window.depokMap.map.setView([lat, lon], 16, {animate: false}); }",
                [lat, lon + 0.003],
            )
            wait_for_load(page, loads)
            assert outlet_asset_id in page.evaluate("() => window.depokMap.featureIds('assets')")
            point = page.evaluate("id => window.depokMap.pagePointOf('outlets', id)", outlet_id)
            page.mouse.click(point["x"], point["y"])
            # then: the outlet answers, with a link to its readable page
            page.wait_for_selector(f'[data-testid="details"][data-outlet-id="{outlet_id}"]')
            assert page.locator('[data-testid="details-name"]').inner_text() == outlet_name
            assert page.locator('[data-testid="outlet-page-link"]').get_attribute("href") == (
                f"/gerai/{outlet_id}/"
            )
            # zoomed in, the kelurahan names replace the kecamatan names, and finer boundaries come
            assert page.locator('[data-testid="label-kelurahan"]').count() == 63
            assert page.locator('[data-testid="label-kecamatan"]').count() == 0
            page.wait_for_function("() => window.depokMap.boundaryZoom === 16")

            # the school: its panel links to its readable page
            page.locator('[data-testid="details"] button.close').click()
            point = page.evaluate("id => window.depokMap.pagePointOf('assets', id)", school.pk)
            page.mouse.click(point["x"], point["y"])
            page.wait_for_selector(f'[data-testid="details"][data-asset-id="{school.pk}"]')
            assert page.locator('[data-testid="asset-page-link"]').get_attribute("href") == (
                f"/aset/{school.pk}/"
            )
            page.wait_for_selector('[data-testid="assessment"][data-state="loaded"]')
            panel = page.locator('[data-testid="details"]').inner_text()
            for raw in ("in_service", "education", " sd", BEJI, "good"):
                assert raw not in panel, f"{raw!r} shown raw in the asset panel"

            # a district's details: a short summary, every figure behind <details>
            page.locator('[data-testid="details"] button.close').click()
            loads = page.evaluate("() => window.depokMap.loads")
            page.evaluate("() => { window.depokMap.map.setZoom(12, {animate: false}); }")
            wait_for_load(page, loads)
            page.select_option('[data-testid="stat-select"]', "population")
            page.evaluate(
                "([lat, lon]) => { const m = window.depokMap.map;"
                " const p = m.latLngToContainerPoint([lat, lon]);"
                " const r = m.getContainer().getBoundingClientRect();"
                " window.__pt = {x: r.left + p.x, y: r.top + p.y}; }",
                [lat - 0.002, lon - 0.004],
            )
            pt = page.evaluate("() => window.__pt")
            page.mouse.click(pt["x"], pt["y"])
            page.wait_for_selector('[data-testid="summary-population"]')
            summary = page.locator('[data-testid="summary-population"]').inner_text()
            assert "residents" in summary
            assert "per km²" in summary
            assert page.locator('[data-testid="all-figures"]').get_attribute("open") is None
            assert page.locator('[data-testid="details"] > table:not(.facilities)').count() == 0
            shot(page, "map-desktop-district")
            assert_accessible(page, "the map on a desktop, a district's summary open")

            # each layer asked only for what it draws, the boundaries for a zoom
            layer_requests = [urlsplit(u) for u in requests]
            for url in layer_requests:
                query = parse_qs(url.query)
                if url.path in ("/api/v1/assets/", "/api/v1/outlets/"):
                    assert "properties" in query, url.geturl()
                if url.path == "/api/v1/districts/":
                    assert "zoom" in query, url.geturl()
            assert {u.path for u in layer_requests} >= {
                "/api/v1/assets/",
                "/api/v1/outlets/",
                "/api/v1/districts/",
            }

            # when: the session ends and the map reloads a layer
            context.clear_cookies()
            loads = page.evaluate("() => window.depokMap.loads")
            page.evaluate("() => { window.depokMap.map.panBy([40, 0], {animate: false}); }")
            wait_for_load(page, loads)
            # then: one message offers to sign in again, back to the map
            link = page.locator('[data-testid="sign-in-again"]')
            assert link.get_attribute("href") == "/accounts/login/?next=/map/"
            assert page.locator('[data-testid="message-session"]').count() == 1
            assert errors == []
            link.click()
            page.wait_for_url(f"{base}/accounts/login/?next=/map/")
        finally:
            browser.close()


# ------------------------------------------------------------------ the legend and the names

# Every name's box of a level as plain numbers, whether labels.js left it shown and whether it
# moved it below its point.
LABEL_BOXES = """(level) =>
  [...document.querySelectorAll(`[data-testid="label-${level}"]`)].map(s => {
    const r = s.getBoundingClientRect();
    return {code: s.dataset.code, shown: getComputedStyle(s).visibility === 'visible',
            below: s.classList.contains('label-below'),
            left: r.left, top: r.top, right: r.right, bottom: r.bottom};
})"""


def overlap(a: dict, b: dict, gap: float = 0) -> bool:
    """Whether two boxes overlap, or come closer than `gap` px."""
    return (
        a["left"] < b["right"] + gap
        and b["left"] < a["right"] + gap
        and a["top"] < b["bottom"] + gap
        and b["top"] < a["bottom"] + gap
    )


def shown_labels(page, level: str = "kecamatan", count: int = 11) -> list[dict]:
    """The district names on screen, after asserting that no two of them overlap."""
    boxes = page.evaluate(LABEL_BOXES, level)
    assert len(boxes) == count
    shown = [b for b in boxes if b["shown"]]
    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            assert not overlap(a, b), f"the names of {a['code']} and {b['code']} overlap"
    return shown


def map_share(page, viewport: dict) -> float:
    box = page.locator('[data-testid="map"]').bounding_box()
    return box["width"] * box["height"] / (viewport["width"] * viewport["height"])


def press_and_check(page, toggle, expanded: bool) -> None:
    """Enter on the focused legend button flips it; the state shows in aria-expanded and in the
    body being shown or not."""
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == str(expanded).lower()
    assert page.locator('[data-testid="legend-body"]').is_visible() is expanded


def test_the_legend_folds_and_district_names_never_overlap(live_server, make_user):
    from playwright.sync_api import sync_playwright

    # given: a planner (the eleven kecamatan are loaded with the boundaries)
    cookie = session_cookie(make_user("planner"), live_server.url)

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            # ------------------------------------------------ phone, in Indonesian
            context = browser.new_context(
                viewport=PHONE, locale="id-ID", extra_http_headers={"Accept-Language": "id"}
            )
            context.add_cookies([cookie])
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{live_server.url}/map/")
            wait_for_load(page, 0)

            # then: the legend is a collapsed button no bigger than a finger-sized target
            toggle = page.locator('[data-testid="legend-toggle"]')
            legend = page.locator('[data-testid="legend"]')
            body = page.locator('[data-testid="legend-body"]')
            assert toggle.inner_text().strip() == "Legenda"
            assert toggle.get_attribute("aria-expanded") == "false"
            assert toggle.get_attribute("aria-controls") == body.get_attribute("id")
            assert not body.is_visible()
            box = legend.bounding_box()
            assert box["width"] <= 140, box
            assert box["height"] <= 50, box
            assert box["height"] >= 44, "the collapsed legend is under a 44 px target"
            assert map_share(page, PHONE) >= 0.70
            # the names shown do not overlap; some had to move or go, each hidden one for one
            # it would touch
            boxes = page.evaluate(LABEL_BOXES, "kecamatan")
            shown = shown_labels(page)
            hidden = [b for b in boxes if not b["shown"]]
            assert [b for b in boxes if b["below"] or not b["shown"]], "nothing was placed"
            for b in hidden:  # labels.js keeps 3 px between names
                assert any(overlap(b, s, gap=3) for s in shown), f"{b['code']} hidden for nothing"
            shot(page, "map-phone-legend-closed")
            assert_accessible(page, "the map on a phone, legend collapsed")

            # when: the planner clicks the button
            toggle.click()
            # then: the legend opens with its items, the map keeps its share of the screen
            assert toggle.get_attribute("aria-expanded") == "true"
            assert body.is_visible()
            uses = page.locator('[data-testid="legend"] .legend-use')
            assert uses.count() == 8
            assert uses.first.is_visible()
            assert page.locator('[data-testid="legend"] h4').last.inner_text() == "Penggunaan"
            assert map_share(page, PHONE) >= 0.70
            shot(page, "map-phone-legend-open")
            assert_accessible(page, "the map on a phone, legend expanded")
            # a second click folds it again
            toggle.click()
            assert toggle.get_attribute("aria-expanded") == "false"
            assert not body.is_visible()

            # the keyboard: Enter opens and closes it, and the focus shows
            toggle.focus()
            press_and_check(page, toggle, True)
            outline = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return [document.activeElement.dataset.testid, s.outlineStyle, s.outlineWidth]; }"
            )
            assert outline == ["legend-toggle", "solid", "3px"], outline
            press_and_check(page, toggle, False)

            # when: the planner zooms in one step, names hidden at city zoom come back
            zoom = page.evaluate("() => window.depokMap.map.getZoom()")
            assert zoom < 13
            page.evaluate("z => { window.depokMap.map.setZoom(z + 1, {animate: false}); }", zoom)
            closer = shown_labels(page)
            assert len(closer) > len(shown) if hidden else len(closer) == len(shown)
            # when: an animated zoom out starts, the names placed for the closer view are
            # hidden while it runs (they would slide over one another), and placed again after
            during = page.evaluate(
                """() => new Promise(resolve => {
                  const m = window.depokMap.map;
                  // read once the zoom has started (Leaflet starts it on the next frame)
                  m.once('zoomanim', () => resolve(
                    [...document.querySelectorAll('[data-testid="label-kecamatan"]')]
                      .map(s => getComputedStyle(s).visibility)));
                  m.setZoom(m.getZoom() - 1);
                })"""
            )
            assert len(during) == 11
            assert set(during) == {"hidden"}, during
            page.wait_for_function(
                "() => !document.querySelector('.leaflet-labels-pane.labels-zooming')"
            )
            assert len(shown_labels(page)) == len(shown)
            assert errors == []
            context.close()

            # ------------------------------------------------ desktop, in English
            context = browser.new_context(
                viewport=DESKTOP, locale="en-US", extra_http_headers={"Accept-Language": "en"}
            )
            context.add_cookies([cookie])
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{live_server.url}/map/")
            wait_for_load(page, 0)

            # then: the legend is open, and most names fit the city view without overlapping
            toggle = page.locator('[data-testid="legend-toggle"]')
            body = page.locator('[data-testid="legend-body"]')
            assert toggle.inner_text().strip() == "Legend"
            assert toggle.get_attribute("aria-expanded") == "true"
            assert body.is_visible()
            assert page.locator('[data-testid="legend"] .legend-use').first.is_visible()
            assert len(shown_labels(page)) >= 8
            shot(page, "map-desktop-legend-open")
            assert_accessible(page, "the map on a desktop, legend expanded")
            toggle.click()
            assert toggle.get_attribute("aria-expanded") == "false"
            assert not body.is_visible()
            assert_accessible(page, "the map on a desktop, legend collapsed")
            # zoomed in to the kelurahan names, they do not overlap either
            page.evaluate("() => { window.depokMap.map.setZoom(14, {animate: false}); }")
            assert len(shown_labels(page, "kelurahan", 63)) > 0
            # the choice holds for the session: reloaded, the legend stays folded
            page.reload()
            wait_for_load(page, 0)
            assert toggle.get_attribute("aria-expanded") == "false"
            assert not body.is_visible()
            assert errors == []
        finally:
            browser.close()
