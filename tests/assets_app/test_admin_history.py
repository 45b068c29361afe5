"""An asset's history as people read it (#17 item 8): field names in the active language,
choice labels, agency and district names, in the API's history entries and the admin's history
page alike (one function, `assets_app.history.asset_history_changes`)."""

import pytest
from django.test import Client

from assets_app.models import Asset
from core.roles import ASSET_OFFICER

pytestmark = pytest.mark.django_db

URL = "/api/v1/assets/"
ASSETS = "/admin/assets_app/asset/"
KUKUSAN = {"type": "Point", "coordinates": [106.81794, -6.37229]}
PANCORAN_MAS = {"type": "Point", "coordinates": [106.82521, -6.40132]}


def changed(client_as, make_user, make_asset):
    officer = make_user(ASSET_OFFICER, username="siti")
    asset = make_asset(custodian_agency="DISDIK", geometry=KUKUSAN, concrete=False)
    client_as(user=officer).patch(
        f"{URL}{asset.pk}/",
        {
            "condition": "major_damage",
            "status": "underused",
            "custodian_agency": "DINKES",
            "geometry": PANCORAN_MAS,
            "concrete": True,
        },
        format="json",
    )
    return officer, asset


def test_api_history_changes_carry_labels_and_readable_values(client_as, make_user, make_asset):
    officer, asset = changed(client_as, make_user, make_asset)

    english = client_as(user=officer).get(f"{URL}{asset.pk}/history/", HTTP_ACCEPT_LANGUAGE="en")
    indonesian = client_as(user=officer).get(f"{URL}{asset.pk}/history/", HTTP_ACCEPT_LANGUAGE="id")

    assert english.status_code == indonesian.status_code == 200
    latest = {c["field"]: c for c in english.json()["results"][0]["changes"]}
    assert set(latest) >= {"condition", "status", "custodian_agency", "geometry", "concrete"}
    assert latest["condition"] == {
        "field": "condition",
        "field_label": "Condition",
        "old": "good",
        "new": "major_damage",
        "old_display": "Baik",  # the KIB's own labels, Indonesian in both languages
        "new_display": "Rusak Berat",
    }
    assert (latest["status"]["old_display"], latest["status"]["new_display"]) == (
        "In service",
        "Underused",
    )
    agency = latest["custodian_agency"]
    assert (agency["old"], agency["new"]) == ("DISDIK", "DINKES")
    assert (agency["old_display"], agency["new_display"]) == ("Dinas Pendidikan", "Dinas Kesehatan")
    assert (latest["kelurahan_code"]["old_display"], latest["kelurahan_code"]["new_display"]) == (
        "Kukusan",
        "Depok",
    )
    assert latest["geometry"]["new_display"] == "point 106.825210, -6.401320 (lon, lat)"
    assert (latest["concrete"]["old_display"], latest["concrete"]["new_display"]) == ("No", "Yes")

    ours = {c["field"]: c for c in indonesian.json()["results"][0]["changes"]}
    assert ours["condition"]["field_label"] == "Kondisi"
    assert ours["status"]["new_display"] == "Kurang dimanfaatkan"
    assert ours["concrete"]["new_display"] == "Ya"
    # The stored values stay what they were, in every language.
    assert ours["condition"]["new"] == "major_damage"


def test_the_created_entry_lists_readable_values_with_no_old_value(
    client_as, make_user, make_asset
):
    officer, asset = changed(client_as, make_user, make_asset)
    first = client_as(user=officer).get(f"{URL}{asset.pk}/history/", HTTP_ACCEPT_LANGUAGE="en")
    created = {c["field"]: c for c in first.json()["results"][-1]["changes"]}
    assert created["use"]["new_display"] == "Office"
    assert created["use"]["old"] is None
    assert created["use"]["old_display"] == "—"


def test_the_admin_history_page_reads_like_the_api(client_as, make_user, make_asset):
    changed(client_as, make_user, make_asset)
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    make_user(ASSET_OFFICER, username="ani", agency="BKD")
    client.post("/admin/login/?next=/admin/", {"username": "ani", "password": "Pass-word-123"})
    pk = Asset.objects.get().pk

    response = client.get(f"{ASSETS}{pk}/history/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Kondisi:</strong>" in html
    assert "Baik" in html
    assert "Rusak Berat" in html
    assert "Dinas Pendidikan" in html
    assert "Dinas Kesehatan" in html
    assert "major_damage" not in html
    assert "DINKES" not in html
