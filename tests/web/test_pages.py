"""The readable asset and outlet pages (`/aset/<id>/`, `/gerai/<id>/`): the API's read roles per
page, each object by its id, human labels in Indonesian and English, no raw codes, documents
downloadable by those who may read them, the history for officers only."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from assets_app.services import asset_update
from documents.services import document_attach
from outlets.models import Stall, StallStatus
from tests.conftest import MINIMAL_PDF
from tests.outlets.helpers import make_outlet, make_round, make_vendor

pytestmark = pytest.mark.django_db

STAFF = ("asset_officer", "asset_approver", "outlet_manager", "planner", "programme_staff")
# Values the API carries that a person should never read on these pages (case matters: the
# labels are capitalised words, the codes are not).
RAW_CODES = ("in_service", "underused", "minor_damage", "education", "building", "sd", "32.76")
RAW_STALL_CODES = ("kiosk", "kitchen", "booth")


def signed_in(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def text_of(response) -> str:
    """The page's visible text: tags, attributes and the CSRF token dropped."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def school(make_asset, make_user):
    officer = make_user("asset_officer")
    asset = make_asset(
        user=officer,
        name="SD Negeri Beji 1",
        use="education",
        facility_type="sd",
        condition="minor_damage",
        address="Jl. Bungur 1",
        custodian_agency="DISDIK",
    )
    asset_update(asset=asset, user=officer, data={"status": "underused"})
    return asset


@pytest.fixture
def manager(make_user):
    return make_user("outlet_manager")


@pytest.fixture
def outlet(make_asset, manager):
    return make_outlet(make_asset, manager, stalls=(("K-01", "kiosk"), ("D-01", "kitchen")))


# --- who may read ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(STAFF))
def test_staff_read_an_asset_page(make_user, school, role):
    response = signed_in(make_user(role)).get(reverse("asset-page", args=[school.pk]))
    assert response.status_code == 200
    assert "SD Negeri Beji 1" in text_of(response)


def test_a_vendor_may_not_read_an_asset_page(school):
    response = signed_in(make_vendor().user).get(f"/aset/{school.pk}/")
    assert response.status_code == 403
    assert "SD Negeri Beji 1" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in_and_back(school, outlet):
    for path in (f"/aset/{school.pk}/", f"/gerai/{outlet.pk}/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={path}"


def test_a_user_without_a_role_may_read_neither_page(make_user, school, outlet):
    client = signed_in(make_user())
    assert client.get(f"/aset/{school.pk}/").status_code == 403
    assert client.get(f"/gerai/{outlet.pk}/").status_code == 403


@pytest.mark.parametrize("role", [*STAFF, "vendor"])
def test_every_role_reads_an_outlet_page(make_user, outlet, role):
    user = make_vendor().user if role == "vendor" else make_user(role)
    response = signed_in(user).get(reverse("outlet-page", args=[outlet.pk]))
    assert response.status_code == 200
    assert outlet.name in text_of(response)


def test_each_page_shows_its_own_object_and_a_missing_one_is_404(make_user, make_asset, school):
    other = make_asset(name="Kantor Kelurahan Kemiri Muka")
    client = signed_in(make_user("planner"))
    first = text_of(client.get(f"/aset/{school.pk}/"))
    second = text_of(client.get(f"/aset/{other.pk}/"))
    assert "SD Negeri Beji 1" in first
    assert "Kemiri Muka" not in first
    assert "Kemiri Muka" in second
    assert "SD Negeri Beji 1" not in second
    assert client.get(f"/aset/{other.pk + 1000}/").status_code == 404
    assert client.get("/gerai/999999/").status_code == 404


# --- what the asset page says -------------------------------------------------------------------


def test_the_asset_page_reads_in_english_with_labels_not_codes(make_user, school):
    text = text_of(signed_in(make_user("planner")).get(f"/aset/{school.pk}/"))
    for label, value in [
        ("Register code", school.register_code),
        ("Use", "Education"),
        ("Facility type", "Primary school (SD)"),
        ("Status", "Underused"),
        ("Condition", "Rusak Ringan"),
        ("Kelurahan", "Kukusan"),
        ("Kecamatan", "Beji"),
    ]:
        assert re.search(rf"{re.escape(label)} {re.escape(value)}", text), (label, value)
    assert "Repurposing assessment" in text
    assert "Status qualifies" in text
    assert "Residents stay within reach of the service" in text
    for code in RAW_CODES:
        assert not re.search(rf"(?<![\w.]){re.escape(code)}(?![\w])", text), code


def test_the_asset_page_is_indonesian_by_default(make_user, school):
    response = signed_in(make_user("planner"), language="id").get(f"/aset/{school.pk}/")
    text = text_of(response)
    assert '<html lang="id">' in response.content.decode()
    for label, value in [
        ("Penggunaan", "Pendidikan"),
        ("Jenis fasilitas", "Sekolah dasar (SD)"),
        ("Status", "Kurang dimanfaatkan"),
        ("Kondisi", "Rusak Ringan"),
        ("Luas tanah (m²)", "500,0"),
        ("Perangkat daerah pengguna barang", "Dinas Pendidikan"),
    ]:
        assert re.search(rf"{re.escape(label)} {re.escape(value)}", text), (label, value)
    assert "Kajian alih fungsi" in text
    assert "Status aset: Kurang dimanfaatkan." in text
    for english in ("Underused", "Repurposing assessment", "Description", "Change history"):
        assert english not in text, english
    for code in RAW_CODES:
        assert not re.search(rf"(?<![\w.]){re.escape(code)}(?![\w])", text), code


def test_the_history_is_for_officers_with_readable_fields_and_values(make_user, school):
    officer_text = text_of(signed_in(make_user("asset_officer")).get(f"/aset/{school.pk}/"))
    planner_text = text_of(signed_in(make_user("planner")).get(f"/aset/{school.pk}/"))
    # The change from in service to underused, by field label and choice labels.
    assert re.search(r"Changed: .*? Status In service Underused", officer_text, flags=re.I)
    assert re.search(r"Registered: .*? Name — SD Negeri Beji 1", officer_text, flags=re.I)
    assert re.search(r"Custodian agency — Dinas Pendidikan", officer_text, flags=re.I)
    assert "The change history is for asset officers." not in officer_text
    assert "The change history is for asset officers." in planner_text
    assert "Changed:" not in planner_text


def test_documents_are_listed_with_a_download_link_that_works(make_user, school):
    officer = make_user("asset_officer")
    document = document_attach(
        user=officer,
        upload=SimpleUploadedFile("sertifikat.pdf", MINIMAL_PDF),
        kind="land_certificate",
        title="Sertifikat HP 12",
        asset=school,
    )
    client = signed_in(make_user("planner"))
    html = client.get(f"/aset/{school.pk}/").content.decode()
    link = f'href="/api/v1/documents/{document.pk}/download/"'
    assert "Land certificate" in html
    assert "Sertifikat HP 12" in html
    assert html.count(link) == 1
    download = client.get(f"/api/v1/documents/{document.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == MINIMAL_PDF


# --- what the outlet page says ------------------------------------------------------------------


def test_the_outlet_page_lists_stalls_with_their_state_and_the_open_round(
    make_user, manager, outlet
):
    Stall.objects.filter(outlet=outlet, code="D-01").update(status=StallStatus.LEASED)
    round_ = make_round(manager, [outlet], status="open", name="Putaran Beji")
    response = signed_in(make_user("planner")).get(f"/gerai/{outlet.pk}/")
    text = text_of(response)
    assert "K-01 Kiosk Vacant 250,000 6.0 power" in text
    assert "D-01 Kitchen Leased" in text
    assert "2 stalls: 1 vacant, 0 offered, 1 leased" in text
    assert "Open now: Putaran Beji" in text
    html = response.content.decode()
    assert f'href="/public/rounds/{round_.pk}/"' in html
    assert f'href="/aset/{outlet.asset_id}/"' in html
    for code in RAW_STALL_CODES:
        assert code not in text, code


def test_a_vendor_reads_the_outlet_without_the_asset_link_and_in_indonesian(manager, outlet):
    make_round(manager, [outlet], status="draft", name="Draf rahasia")
    response = signed_in(make_vendor().user, language="id").get(f"/gerai/{outlet.pk}/")
    text = text_of(response)
    html = response.content.decode()
    assert "Kios" in text
    assert "Draf rahasia" not in text
    assert f'href="/aset/{outlet.asset_id}/"' not in html
    assert 'href="/map/"' not in html
