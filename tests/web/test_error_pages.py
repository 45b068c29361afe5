"""The site's own error pages: a person who opens a page she may not see, or an address that is
not there, gets a page in the site's look and her language saying why and the way back, not
Django's bare "403 Forbidden"; the API keeps answering JSON."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.views import defaults

from tests.e2e.browser import assert_accessible, launch, needs_chromium, shot

PASSWORD = "Halaman-Salah-2026"


@pytest.mark.django_db
def test_a_vendor_on_the_staff_map_gets_the_reason_in_indonesian_first(make_user):
    make_user("vendor", username="siti", password=PASSWORD)
    client = Client()  # no Accept-Language: the site's own language
    client.login(username="siti", password=PASSWORD)

    response = client.get("/map/")
    assert response.status_code == 403
    body = response.content.decode()
    assert '<html lang="id">' in body
    assert "Tidak diizinkan" in body
    assert "Peta ini hanya untuk pegawai Pemerintah Kota." in body
    assert 'href="/"' in body
    assert "Kembali ke halaman utama" in body

    english = client.get("/map/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 403
    assert "Not allowed" in english.content.decode()
    assert "The map is for the city&#x27;s staff." in english.content.decode()


@pytest.mark.django_db
@pytest.mark.django_db
def test_an_address_that_is_not_there(make_user):
    client = Client()
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()
    make_user("asset_officer", username="budi", password=PASSWORD)
    client.login(username="budi", password=PASSWORD)
    page = client.get("/aset/999999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 404
    assert "Page not found" in page.content.decode()
    # the API keeps its JSON shape
    api = client.get("/api/v1/no-such-endpoint/")
    assert api.status_code == 404
    assert api.json() == {"detail": "Data tidak ditemukan."}


def test_the_500_page_renders_without_a_request_context():
    # Django renders 500.html with no context after an uncaught error; it must not fail again.
    request = RequestFactory().get("/")
    with translation.override("id"):
        response = defaults.server_error(request)
    assert response.status_code == 500
    body = response.content.decode()
    assert "Terjadi kesalahan" in body
    assert '<html lang="id">' in body


@needs_chromium
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_403_page_on_a_phone(live_server, make_user):
    from playwright.sync_api import sync_playwright

    make_user("vendor", username="siti", password=PASSWORD)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 360, "height": 740}, locale="id-ID")
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", "siti")
            page.fill("#id_password", PASSWORD)
            page.click('[data-testid="login-submit"]')
            page.wait_for_load_state()
            response = page.goto(f"{live_server.url}/map/")
            assert response.status == 403
            assert page.get_by_test_id("error-title").inner_text() == "Tidak diizinkan"
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            assert_accessible(page, "the 403 page")
            shot(page, "error-403-phone-id")
            page.get_by_test_id("error-home").click()
            page.wait_for_load_state()
            assert page.url.startswith(f"{live_server.url}/")
            assert page.get_by_test_id("error-title").count() == 0
        finally:
            browser.close()
