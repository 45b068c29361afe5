"""Indonesian by default, English on request: the API's messages, the map page, the admin, and
the catalogue itself (every entry translated, the compiled .mo in step with the .po)."""

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from assets_app.models import Asset, Reclassification
from core.roles import ASSET_APPROVER, ASSET_OFFICER
from outlets.models import AllocationRound, Lease
from tests.conftest import DECREE_FIELDS
from tests.outlets.helpers import make_outlet, make_round

pytestmark = pytest.mark.django_db

PO = Path(settings.BASE_DIR) / "locale" / "id" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def client(user=None, language: str | None = None) -> APIClient:
    """A client that sends `Accept-Language: <language>`, or no such header at all."""
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    api = APIClient(**headers)
    if user is not None:
        api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}")
    return api


# --- the API answers in the language asked for ----------------------------------------------


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("id", "Point: bujur 200 berada di luar -180..180."),
        ("en", "Point: longitude 200 is outside -180..180."),
        (None, "Point: bujur 200 berada di luar -180..180."),
    ],
)
def test_a_geometry_error(make_user, language, message):
    officer = make_user(ASSET_OFFICER)
    body = {
        "register_code": "KIB-A-1",
        "name": "Lahan",
        "category": "land",
        "use": "vacant",
        "geometry": {"type": "Point", "coordinates": [200, -6.4]},
    }

    response = client(officer, language).post("/api/v1/assets/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {"geometry": [message]}
    assert response["Content-Language"] == (language or "id")
    assert Asset.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "id",
            "Kode wilayah '99.99' tidak dikenal: gunakan kode kecamatan atau kelurahan di Kota "
            "Depok.",
        ),
        ("en", "Unknown district code '99.99': use a Depok kecamatan or kelurahan code."),
    ],
)
def test_an_unknown_district(make_user, language, message):
    response = client(make_user("planner"), language).get("/api/v1/assets/?district=99.99")

    assert response.status_code == 400
    assert response.json() == {"district": [message]}


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "id",
            "Prinsip empat mata: pengusul pengalihan status penggunaan tidak dapat menyetujui "
            "atau menolaknya sendiri.",
        ),
        ("en", "Four eyes: the proposer of a reclassification cannot approve or reject it."),
    ],
)
def test_the_four_eyes_refusal(make_user, make_asset, language, message):
    both = make_user(ASSET_OFFICER, ASSET_APPROVER)
    office = make_asset(use="office")
    proposed = client(both).post(
        f"/api/v1/assets/{office.pk}/reclassifications/", {"reason": "Kosong"}, format="json"
    )
    assert proposed.status_code == 201

    response = client(both, language).post(
        f"/api/v1/reclassifications/{proposed.json()['id']}/approve/",
        {"note": "sendiri", "override_reason": "x", **DECREE_FIELDS, "decree_document": 1},
        format="json",
    )

    assert response.status_code == 403
    assert response.json() == {"detail": message}
    assert Reclassification.objects.get().status == "proposed"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("id", "Hanya putaran alokasi berstatus draf yang dapat dibuka."),
        ("en", "Only a draft round can be opened."),
    ],
)
def test_a_conflict(make_user, make_asset, language, message):
    manager = make_user("outlet_manager")
    round_ = make_round(manager, [make_outlet(make_asset, manager)], status="open")

    response = client(manager, language).post(f"/api/v1/rounds/{round_.pk}/open/")

    assert response.status_code == 409
    assert response.json() == {"detail": message}
    assert AllocationRound.objects.get().status == "open"


@pytest.mark.parametrize(
    ("language", "details"),
    [
        (
            "id",
            [
                "Status aset: Idle (tidak dimanfaatkan).",
                "Kondisi aset: Baik.",
                "Luas tanah 500 m² memenuhi batas minimum 100 m².",
                "tidak berlaku",
                "tidak berlaku",
            ],
        ),
        (
            "en",
            [
                "The asset is Idle.",
                "The condition is Baik.",
                "Land area 500 m² is at least the minimum of 100 m².",
                "not applicable",
                "not applicable",
            ],
        ),
    ],
)
def test_assessment_details(make_user, make_asset, language, details):
    office = make_asset(use="office", status="idle")

    response = client(make_user("planner"), language).get(f"/api/v1/assets/{office.pk}/assessment/")

    assert response.status_code == 200
    checks = response.json()["checks"]
    assert [check["rule"] for check in checks] == [
        "status",
        "condition",
        "land_area",
        "coverage",
        "capacity",
    ]
    assert [check["detail"] for check in checks] == details


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("id", "Kolom ini wajib diisi."),
        ("en", "This field is required."),
    ],
)
def test_serializer_errors_use_django_and_drf_catalogues(make_user, language, message):
    response = client(make_user(ASSET_OFFICER), language).post(
        "/api/v1/assets/", {"name": "Lahan"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["register_code"] == [message]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("id", "Paling sedikit 1 dan paling banyak 1000."),
        ("en", "Must be at least 1 and at most 1000."),
    ],
)
def test_a_paging_error(make_user, language, message):
    response = client(make_user("planner"), language).get("/api/v1/assets/?limit=5000")

    assert response.status_code == 400
    assert response.json() == {"limit": [message]}


def test_field_names_and_enum_values_stay_english(make_user, make_asset):
    asset = make_asset(use="office", status="idle", condition="minor_damage")

    data = client(make_user("planner"), "id").get(f"/api/v1/assets/{asset.pk}/").json()

    assert (data["use"], data["status"], data["condition"]) == ("office", "idle", "minor_damage")
    assert {"register_code", "land_area_m2", "kecamatan_code"} <= set(data)


def test_unauthenticated_in_both_languages():
    english = client(language="en").get("/api/v1/assets/")
    indonesian = client(language="id").get("/api/v1/assets/")

    assert english.status_code == indonesian.status_code == 401
    assert english.json() == {"detail": "Authentication credentials were not provided."}
    assert indonesian.json() == {"detail": "Data autentikasi tidak diberikan."}


# --- the map page and the admin --------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("id", ["Capaian program", "Seluruh Kota Depok", "Lapak kosong", '<html lang="id">']),
        ("en", ["Programme progress", "All of Kota Depok", "Vacant stalls", '<html lang="en">']),
    ],
)
def test_the_map_page(make_user, language, texts):
    page = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    page.force_login(make_user("planner"))

    html = page.get("/map/").content.decode()

    for text in texts:
        assert text in html


def test_the_admin_in_indonesian(django_user_model, make_asset):
    admin = django_user_model.objects.create_superuser("admin", "a@example.org", "Pass-word-123")
    page = APIClient(HTTP_ACCEPT_LANGUAGE="id")
    page.force_login(admin)

    html = page.get("/admin/outlets/lease/").content.decode()

    assert "Pilih sewa untuk melihat" in html  # Django's "Select lease to view" with our "sewa"
    assert "Gerai dan alokasi lapak" in html
    with translation.override("id"):
        assert str(Lease._meta.get_field("stall").verbose_name) == "lapak"
        assert str(Asset._meta.get_field("condition").verbose_name) == "kondisi"
        assert str(Reclassification._meta.verbose_name) == "pengalihan status penggunaan"


# --- the catalogue ---------------------------------------------------------------------------


def test_every_entry_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(PO))

    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    assert catalogue.obsolete_entries() == []
    assert len(catalogue.translated_entries()) == len(catalogue)
    assert not catalogue.metadata_is_fuzzy


def test_placeholders_survive_translation():
    import re

    pattern = re.compile(r"%\(\w+\)[sdr]|\{[^{}]*\}")
    for entry in polib.pofile(str(PO)):
        if entry.msgid_plural:
            # Indonesian has one form (nplurals=1): it must keep the plural's placeholders.
            for source in (entry.msgid, entry.msgid_plural):
                for text in entry.msgstr_plural.values():
                    assert sorted(pattern.findall(source)) == sorted(pattern.findall(text)), source
            continue
        assert sorted(pattern.findall(entry.msgid)) == sorted(pattern.findall(entry.msgstr)), (
            entry.msgid
        )


def test_the_compiled_catalogue_matches_the_po():
    """The committed .mo holds exactly the .po's translations (CI needs no gettext tools)."""
    catalogue = polib.pofile(str(PO))
    translated = {(e.msgctxt, e.msgid): e.msgstr for e in catalogue.translated_entries()}
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(MO))}
    compiled.pop((None, ""), None)  # the header

    assert compiled == translated
    # every entry translated and compiled (the catalogue grows with the code)
    assert len(compiled) == len(catalogue) > 500


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs GNU gettext's msgfmt")
def test_msgfmt_accepts_the_po(tmp_path):
    subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(PO)], check=True)
