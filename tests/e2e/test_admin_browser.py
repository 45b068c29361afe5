"""The admin's asset page in Debian's Chromium (#17 item 8): an officer signs in, opens her
agency's asset, sees its point on the Leaflet map (no CDN, nothing blocked by the
Content-Security-Policy), drags it, and saves; the register has the moved point. She also draws
a site boundary corner by corner, adds a corner by a midpoint and removes one, and works the
toolbar from the keyboard; a keyboard-only officer places the point and a polygon's corners at
the map's centre and moves them with the arrow keys; the register has each saved geometry.
axe-core finds no serious or critical problem on the page."""

import json
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest

from assets_app.models import Asset
from core.roles import ASSET_OFFICER
from tests.e2e.browser import DESKTOP, PHONE, assert_accessible, launch, needs_chromium, shot

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


# A square of about 45 m around the fixtures' point in Kukusan (Beji), clockwise from north-west.
SQUARE = [[106.8177, -6.3720], [106.8181, -6.3720], [106.8181, -6.3724], [106.8177, -6.3724]]
SQUARE_POLYGON = {"type": "Polygon", "coordinates": [[*SQUARE, SQUARE[0]]]}


@contextmanager
def asset_page(live_server, asset, *, keyboard: bool = False):
    """An officer of DISDIK signed in on the asset's change page, with the map drawn; yields the
    page and the list of script errors and refusals by the Content-Security-Policy. With
    `keyboard` she signs in by Enter, not a click."""
    from playwright.sync_api import sync_playwright

    base = live_server.url
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_context(viewport=DESKTOP, locale="id").new_page()
        problems = []
        page.on(
            "console",
            lambda message: problems.append(f"{page.url}: {message.text[:80]}")
            if message.type == "error" and "/admin/login/" not in page.url
            else None,
        )
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(f"{base}/admin/login/?next=/admin/")
        page.fill("#id_username", "ani")
        page.fill("#id_password", "Pass-word-123")
        if keyboard:
            page.press("#id_password", "Enter")
        else:
            page.click("input[type=submit]")
        page.wait_for_url(f"{base}/admin/")
        page.goto(f"{base}/admin/assets_app/asset/{asset.pk}/change/")
        page.wait_for_selector(".admin-geo-map.leaflet-container")
        page.locator(".admin-geo-map").scroll_into_view_if_needed()
        try:
            yield page, problems
        finally:
            browser.close()


def save(page, live_server) -> None:
    page.click("input[name=_save]")
    page.wait_for_url(f"{live_server.url}/admin/assets_app/asset/")
    assert page.locator(".messagelist .success").count() == 1


def map_lonlat(page, x: float, y: float) -> list[float]:
    """The [lon, lat] under a point of the viewport, as Leaflet converts it: the point in the
    map's container (inside its border) through map.containerPointToLatLng."""
    return page.evaluate(
        """([x, y]) => {
            const map = window.adminGeo.geometry;
            const box = map.getContainer();
            const rect = box.getBoundingClientRect();
            const point = [x - rect.left - box.clientLeft, y - rect.top - box.clientTop];
            const at = map.containerPointToLatLng(point);
            return [at.lng, at.lat];
        }""",
        [x, y],
    )


def textarea_geometry(page) -> dict:
    return json.loads(page.input_value("textarea[name=geometry]"))


def assert_close(ring, expected) -> None:
    assert len(ring) == len(expected), ring
    for got, want in zip(ring, expected, strict=True):
        assert got[0] == pytest.approx(want[0], abs=1e-6), (ring, expected)
        assert got[1] == pytest.approx(want[1], abs=1e-6), (ring, expected)


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def test_an_officer_draws_a_site_boundary_on_the_admin_map(live_server, make_user, make_asset):
    make_user(ASSET_OFFICER, username="ani", agency="DISDIK")
    asset = make_asset(custodian_agency="DISDIK", register_code="SDN-KUKUSAN-2")

    with asset_page(live_server, asset) as (page, problems):
        draw = button(page, "Gambar poligon")
        draw.click()
        assert draw.get_attribute("aria-pressed") == "true"
        assert button(page, "Titik").get_attribute("aria-pressed") == "false"
        box = page.locator(".admin-geo-map").bounding_box()
        # Four corners well clear of the old point (at the centre) and of the zoom buttons.
        corners = [(160, 80), (480, 90), (470, 260), (170, 250)]
        clicked = []
        for i, (x, y) in enumerate(corners):
            page.mouse.click(box["x"] + x, box["y"] + y)
            clicked.append(map_lonlat(page, box["x"] + x, box["y"] + y))
            if i == 1:
                # Two corners are no polygon: Finish says why and keeps drawing.
                button(page, "Selesai").click()
                assert "sedikitnya 3 sudut" in page.locator(".admin-geo-status").inner_text()
                assert textarea_geometry(page)["type"] == "Point"
        assert page.locator(".admin-geo-map .admin-geo-vertex").count() == 4
        shot(page, "admin-asset-drawing")
        button(page, "Selesai").click()

        drawn = textarea_geometry(page)
        assert drawn["type"] == "Polygon"
        assert drawn["coordinates"][0][0] == drawn["coordinates"][0][-1]  # a closed ring
        assert_close(drawn["coordinates"][0][:-1], clicked)
        assert draw.get_attribute("aria-pressed") == "false"
        assert "4 sudut" in page.locator(".admin-geo-status").inner_text()
        # The polygon is now edited: a handle on each corner and on each side's midpoint.
        assert page.locator(".admin-geo-map .admin-geo-vertex").count() == 4
        assert page.locator(".admin-geo-map .admin-geo-midpoint").count() == 4
        shot(page, "admin-asset-polygon")
        checked = len(problems)
        assert_accessible(page, "admin asset page with a polygon")
        del problems[checked:]  # axe-core's own probes are refused by the CSP, see above
        save(page, live_server)
        assert problems == [], "\n".join(problems)

    asset = Asset.objects.get(pk=asset.pk)
    assert asset.geometry["type"] == "Polygon"
    ring = asset.geometry["coordinates"][0]
    assert ring[0] == ring[-1]
    assert_close(ring[:-1], clicked)
    assert asset.geometry == drawn  # stored as the form posted it (already rounded)
    assert asset.kelurahan.name == "Kukusan"


def test_an_officer_adds_a_corner_by_a_midpoint_and_removes_one(live_server, make_user, make_asset):
    make_user(ASSET_OFFICER, username="ani", agency="DISDIK")
    asset = make_asset(custodian_agency="DISDIK", geometry=SQUARE_POLYGON)

    with asset_page(live_server, asset) as (page, problems):
        midpoints = page.locator(".admin-geo-map .admin-geo-midpoint")
        assert midpoints.count() == 4
        # The midpoint of the north side, dragged 40 px further north.
        mid = midpoints.nth(0).bounding_box()
        x, y = mid["x"] + mid["width"] / 2, mid["y"] + mid["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x, y - 40, steps=8)
        page.mouse.up()
        added = map_lonlat(page, x, y - 40)
        edited = textarea_geometry(page)["coordinates"][0]
        assert_close(edited, [SQUARE[0], added, *SQUARE[1:], SQUARE[0]])
        assert added[1] > SQUARE[0][1]  # north of the old side
        assert page.locator(".admin-geo-map .admin-geo-vertex").count() == 5

        # Removing needs a selected corner first; then the south-east corner goes.
        remove = button(page, "Hapus sudut")
        assert remove.get_attribute("aria-disabled") == "true"
        remove.focus()  # aria-disabled keeps it focusable (Playwright will not click it)
        page.keyboard.press("Enter")
        assert "Pilih sudut" in page.locator(".admin-geo-status").inner_text()
        corner = page.locator(".admin-geo-map .admin-geo-vertex").nth(3)
        assert corner.get_attribute("title").startswith("Sudut 4 dari 5")
        corner.click()
        assert "is-selected" in corner.get_attribute("class")
        assert remove.get_attribute("aria-disabled") == "false"
        remove.click()
        shot(page, "admin-asset-corners")
        expected = [SQUARE[0], added, SQUARE[1], SQUARE[3], SQUARE[0]]
        assert_close(textarea_geometry(page)["coordinates"][0], expected)
        assert page.locator(".admin-geo-map .admin-geo-vertex").count() == 4
        save(page, live_server)
        assert problems == [], "\n".join(problems)

    asset = Asset.objects.get(pk=asset.pk)
    assert asset.geometry["type"] == "Polygon"
    assert_close(asset.geometry["coordinates"][0], expected)


def test_the_map_toolbar_works_from_the_keyboard(live_server, make_user, make_asset):
    make_user(ASSET_OFFICER, username="ani", agency="DISDIK")
    asset = make_asset(custodian_agency="DISDIK", geometry=SQUARE_POLYGON)
    focused = "() => document.activeElement.textContent.trim()"

    with asset_page(live_server, asset) as (page, problems):
        # The toolbar follows the field before it in the Tab order; Finish shows only while
        # drawing.
        page.focus("#id_notes")
        page.keyboard.press("Tab")
        assert page.evaluate(focused) == "Titik"
        page.keyboard.press("Tab")
        assert page.evaluate(focused) == "Gambar poligon"
        page.keyboard.press("Space")
        assert button(page, "Gambar poligon").get_attribute("aria-pressed") == "true"
        page.keyboard.press("Tab")
        assert page.evaluate(focused) == "Selesai"
        page.keyboard.press("Enter")
        assert "sedikitnya 3 sudut" in page.locator(".admin-geo-status").inner_text()
        page.keyboard.press("Escape")  # cancels the drawing: the square stays
        assert button(page, "Gambar poligon").get_attribute("aria-pressed") == "false"
        assert textarea_geometry(page) == SQUARE_POLYGON
        page.keyboard.press("Tab")
        assert page.evaluate(focused) == "Hapus sudut"

        # A corner handle takes the focus by Tab and Delete removes it; the next one keeps the
        # focus, and a ring of three keeps its corners.
        corner = page.locator(".admin-geo-map .admin-geo-vertex").nth(0)
        corner.focus()
        page.keyboard.press("Delete")
        assert_close(textarea_geometry(page)["coordinates"][0], [*SQUARE[1:], SQUARE[1]])
        assert page.evaluate("() => document.activeElement.title").startswith("Sudut 1 dari 3")
        page.keyboard.press("Delete")
        assert (
            "tetap memerlukan sedikitnya 3 sudut" in page.locator(".admin-geo-status").inner_text()
        )
        assert len(textarea_geometry(page)["coordinates"][0]) == 4

        # Enter on "Titik" turns the polygon into the point at its centroid.
        button(page, "Titik").focus()
        page.keyboard.press("Enter")
        point = textarea_geometry(page)
        assert button(page, "Titik").get_attribute("aria-pressed") == "true"
        assert page.locator(".admin-geo-map .leaflet-marker-icon").count() == 1
        save(page, live_server)
        assert problems == [], "\n".join(problems)

    # The centroid of the triangle left of the square (north-east, south-east, south-west).
    centroid = [sum(c[0] for c in SQUARE[1:]) / 3, sum(c[1] for c in SQUARE[1:]) / 3]
    asset = Asset.objects.get(pk=asset.pk)
    assert asset.geometry["type"] == "Point"
    assert asset.geometry["coordinates"] == pytest.approx(centroid, abs=1e-7)
    assert asset.geometry == point


def test_a_multipolygon_edits_per_ring_and_a_drawing_replaces_it(
    live_server, make_user, make_asset
):
    make_user(ASSET_OFFICER, username="ani", agency="DISDIK")
    east = [[lon + 0.0006, lat] for lon, lat in SQUARE]
    parts = [[[*SQUARE, SQUARE[0]]], [[*east, east[0]]]]
    asset = make_asset(
        custodian_agency="DISDIK", geometry={"type": "MultiPolygon", "coordinates": parts}
    )

    with asset_page(live_server, asset) as (page, problems):
        corners = page.locator(".admin-geo-map .admin-geo-vertex")
        assert corners.count() == 8
        assert page.locator(".admin-geo-map .admin-geo-midpoint").count() == 8
        # The second part's third corner goes; the first part is untouched.
        corners.nth(6).focus()
        page.keyboard.press("Delete")
        edited = textarea_geometry(page)
        assert edited["type"] == "MultiPolygon"
        assert edited["coordinates"][0] == parts[0]
        assert_close(edited["coordinates"][1][0], [east[0], east[1], east[3], east[0]])

        # Drawing a triangle closed by clicking its first corner replaces the whole geometry.
        button(page, "Gambar poligon").click()
        box = page.locator(".admin-geo-map").bounding_box()
        clicked = []
        for x, y in [(120, 60), (560, 70), (330, 290)]:
            page.mouse.click(box["x"] + x, box["y"] + y)
            clicked.append(map_lonlat(page, box["x"] + x, box["y"] + y))
        page.locator(".admin-geo-map .admin-geo-first").click()
        drawn = textarea_geometry(page)
        assert drawn["type"] == "Polygon"
        assert_close(drawn["coordinates"][0], [*clicked, clicked[0]])
        assert page.locator(".admin-geo-map .admin-geo-vertex").count() == 3
        save(page, live_server)
        assert problems == [], "\n".join(problems)

    asset = Asset.objects.get(pk=asset.pk)
    assert asset.geometry == drawn


def pan(page, key: str) -> None:
    """An arrow key on the focused map; returns once Leaflet's pan animation has ended."""
    page.evaluate(
        "() => { window.panned = new Promise((r) => window.adminGeo.geometry.once('moveend', r)); }"
    )
    page.keyboard.press(key)
    page.evaluate("() => window.panned")


def map_centre(page) -> list[float]:
    return page.evaluate(
        "() => { const at = window.adminGeo.geometry.getCenter(); return [at.lng, at.lat]; }"
    )


def moved_by(page, lonlat: list[float], dx: float, dy: float) -> list[float]:
    """[lon, lat] moved by (dx, dy) screen px on the map as it is now."""
    return page.evaluate(
        """([lon, lat, dx, dy]) => {
            const map = window.adminGeo.geometry;
            const from = map.latLngToContainerPoint([lat, lon]);
            const at = map.containerPointToLatLng(from.add([dx, dy]));
            return [at.lng, at.lat];
        }""",
        [*lonlat, dx, dy],
    )


def focused(page) -> str:
    return page.evaluate(
        "() => document.activeElement.title || document.activeElement.textContent.trim()"
    )


def test_a_keyboard_only_officer_places_and_moves_the_point_and_corners(
    live_server, make_user, make_asset
):
    """No mouse at all: the map pans from the keyboard under a crosshair, "Place at centre"
    puts the point or the next corner there, and the arrow keys move a focused marker or corner
    (5 px, Shift 25 px); the form is saved by Enter."""
    make_user(ASSET_OFFICER, username="ani", agency="DISDIK")
    asset = make_asset(custodian_agency="DISDIK", register_code="SDN-KUKUSAN-3")
    base = live_server.url
    status = ".admin-geo-status"

    with asset_page(live_server, asset, keyboard=True) as (page, problems):
        crosshair = page.locator(".admin-geo-crosshair")
        assert crosshair.get_attribute("aria-hidden") == "true"
        assert not crosshair.is_visible()
        # The map is described by the keyboard help, shown once the script has drawn the map.
        keys = page.locator("#" + page.get_attribute(".admin-geo-map", "aria-describedby"))
        assert keys.is_visible()
        assert keys.inner_text().startswith("Dengan papan ketik: pada peta yang terfokus")

        # Tab order: the toolbar (Finish hidden), then the map itself, then its marker.
        page.focus("#id_notes")
        for name in ["Titik", "Gambar poligon", "Hapus sudut", "Tempatkan di tengah"]:
            page.keyboard.press("Tab")
            assert focused(page) == name
        assert crosshair.is_visible()  # "Place at centre" focused: where it will land
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.classList.contains('admin-geo-map')")
        assert crosshair.is_visible()
        start = map_centre(page)
        pan(page, "ArrowRight")
        pan(page, "ArrowDown")
        panned = map_centre(page)
        # Leaflet pans 80 px a key: the centre is now 80 px east and south of where it was.
        assert panned == pytest.approx(moved_by(page, start, 80, 80), abs=1e-6)
        assert panned[0] > start[0]  # east
        assert panned[1] < start[1]  # south
        page.keyboard.press("Shift+Tab")
        assert focused(page) == "Tempatkan di tengah"
        page.keyboard.press("Enter")
        point = textarea_geometry(page)
        assert point["type"] == "Point"
        assert point["coordinates"] == pytest.approx(panned, abs=1e-6)
        assert page.locator(status).inner_text() == "Titik ditempatkan di tengah peta."

        # The marker follows the map in the Tab order; arrows move it, not the map.
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert focused(page).startswith("Titik: seret atau pindahkan dengan tombol panah")
        before = map_centre(page)
        expected = moved_by(page, point["coordinates"], -5, 0)
        page.keyboard.press("ArrowLeft")
        assert textarea_geometry(page)["coordinates"] == pytest.approx(expected, abs=1e-6)
        expected = moved_by(page, expected, 0, -25)
        page.keyboard.press("Shift+ArrowUp")
        point = textarea_geometry(page)
        assert point["coordinates"] == pytest.approx(expected, abs=1e-6)
        assert map_centre(page) == before  # the map did not pan
        assert focused(page).startswith("Titik: seret")  # the moved marker keeps the focus

        # A triangle from the keyboard: draw mode, then a corner at the centre after each pan.
        page.focus(".admin-geo-draw")
        page.keyboard.press("Enter")
        assert button(page, "Gambar poligon").get_attribute("aria-pressed") == "true"
        place = button(page, "Tambah sudut di tengah")
        assert place.count() == 1
        assert crosshair.is_visible()  # drawing: the crosshair stays
        corners = []
        for key in [None, "ArrowRight", "ArrowDown"]:
            if key:
                page.focus(".admin-geo-map")
                pan(page, key)
            place.focus()
            page.keyboard.press("Enter")
            corners.append(map_centre(page))
            assert page.locator(status).inner_text() == f"Sudut {len(corners)} ditambahkan."
        page.keyboard.press("Enter")  # twice on one spot: no corner, and says why
        assert page.locator(status).inner_text().startswith("Sudah ada sudut di sini")
        assert page.locator(".admin-geo-map .admin-geo-vertex").count() == 3
        shot(page, "admin-asset-keyboard-drawing")
        checked = len(problems)
        assert_accessible(page, "admin asset page drawing from the keyboard")
        del problems[checked:]  # axe-core's own probes are refused by the CSP, see above
        page.focus(".admin-geo-finish")
        page.keyboard.press("Enter")
        drawn = textarea_geometry(page)
        assert drawn["type"] == "Polygon"
        assert_close(drawn["coordinates"][0], [*corners, corners[0]])
        assert not crosshair.is_visible()  # no longer drawing, and the map is not focused
        assert page.locator(status).inner_text() == "Poligon dengan 3 sudut telah digambar."
        # A polygon being edited is not replaced by "Place at centre".
        place = button(page, "Tempatkan di tengah")
        assert place.get_attribute("aria-disabled") == "true"
        place.focus()
        page.keyboard.press("Enter")
        assert page.locator(status).inner_text().startswith("Poligon sedang disunting")
        assert textarea_geometry(page) == drawn

        # The second corner: 5 px east, then 25 px south; the other corners stay.
        page.locator(".admin-geo-map .admin-geo-vertex").nth(1).focus()
        assert focused(page).startswith("Sudut 2 dari 3")
        ring = drawn["coordinates"][0]
        second = moved_by(page, ring[1], 5, 0)
        page.keyboard.press("ArrowRight")
        second = moved_by(page, second, 0, 25)
        page.keyboard.press("Shift+ArrowDown")
        expected = [ring[0], second, ring[2], ring[0]]
        assert_close(textarea_geometry(page)["coordinates"][0], expected)
        assert focused(page).startswith("Sudut 2 dari 3")
        # The first corner (before it in the Tab order) also moves the closing point.
        page.keyboard.press("Shift+Tab")
        assert focused(page).startswith("Sudut 1 dari 3")
        first = moved_by(page, ring[0], 0, -5)
        page.keyboard.press("ArrowUp")
        expected = [first, second, ring[2], first]
        edited = textarea_geometry(page)
        assert_close(edited["coordinates"][0], expected)
        shot(page, "admin-asset-keyboard-polygon")
        page.set_viewport_size(PHONE)
        page.locator(".admin-geo-map").scroll_into_view_if_needed()
        shot(page, "admin-asset-keyboard-polygon-phone")

        page.focus("input[name=_save]")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/admin/assets_app/asset/")
        assert page.locator(".messagelist .success").count() == 1
        assert problems == [], "\n".join(problems)

    asset = Asset.objects.get(pk=asset.pk)
    assert asset.geometry == edited
    assert_close(asset.geometry["coordinates"][0], expected)
