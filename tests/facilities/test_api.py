"""The reference-facility API: who may read, import and link, and the per-object link rules."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.roles import ROLES, STAFF_ROLES
from facilities.importing import LOOKS_LIKE_MARKUP
from facilities.models import ReferenceFacility
from facilities.services import ASSET_ALREADY_LINKED, ASSET_OTHER_TYPE
from tests.conftest import client_for, officer_join

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
URL = "/api/v1/reference-facilities/"


def upload(name="sekolah.csv", content=None):
    content = (
        content if content is not None else (DATA / "sekolah_depok_synthetic.csv").read_bytes()
    )
    return {"file": SimpleUploadedFile(name, content), "source": "synthetic test list"}


def facility(**fields) -> ReferenceFacility:
    values = {
        "kind": "school",
        "facility_type": "sd",
        "category": "sd",
        "level": "basic",
        "national_id": "99000101",
        "name": "SD (synthetic)",
        "provider": "private",
        "lon": 106.81794,
        "lat": -6.37229,
        "source": "synthetic test row",
        "synthetic": True,
    }
    values.update(fields)
    return ReferenceFacility.objects.create(**values)


@pytest.mark.parametrize("role", ROLES)
def test_import_is_for_officers_only(make_user, role):
    response = client_for(make_user(role)).post(URL + "import/", upload(), format="multipart")
    if role == "asset_officer":
        assert response.status_code == 200, response.content
        assert response.json()["created"] == 6
        assert ReferenceFacility.objects.count() == 6
    else:
        assert response.status_code == 403
        assert ReferenceFacility.objects.count() == 0


def test_import_anonymous_is_401(api_client):
    assert api_client.post(URL + "import/", upload(), format="multipart").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_list_and_detail_are_for_staff(make_user, role):
    item = facility()
    client = client_for(make_user(role))
    listed, detail = client.get(URL), client.get(f"{URL}{item.pk}/")
    if role in STAFF_ROLES:
        assert (listed.status_code, detail.status_code) == (200, 200)
        assert [r["national_id"] for r in listed.json()["results"]] == ["99000101"]
        assert detail.json()["kecamatan_code"] is None  # created directly, not located
    else:
        assert (listed.status_code, detail.status_code) == (403, 403)


def test_list_filters(make_user):
    facility(national_id="99000101", provider="private")
    facility(national_id="99000102", provider="state", facility_type="smp", category="smp")
    facility(
        kind="health",
        national_id="P3276000001",
        facility_type="puskesmas",
        category="puskesmas",
        level="primary_care",
        provider="state",
    )
    client = client_for(make_user("planner"))

    def ids(query):
        response = client.get(URL + query)
        assert response.status_code == 200, response.content
        return [r["national_id"] for r in response.json()["results"]]

    assert ids("?kind=health") == ["P3276000001"]
    assert ids("?facility_type=smp") == ["99000102"]
    assert ids("?provider=state") == ["99000102", "P3276000001"]
    assert ids("?kecamatan=32.76.06") == []
    bad = client.get(URL + "?kecamatan=99.99.99")
    assert bad.status_code == 400
    assert list(bad.json()) == ["kecamatan"]
    assert client.get(URL + "?provider=nobody").status_code == 400


def test_import_of_html_named_csv_is_400_naming_file(make_user):
    response = client_for(make_user("asset_officer")).post(
        URL + "import/", upload(content=b"<html><body>NPSN</body></html>"), format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == {"file": [str(LOOKS_LIKE_MARKUP).format(fmt="CSV")]}
    assert ReferenceFacility.objects.count() == 0


def test_import_with_bad_rows_is_400_with_rows_and_writes_nothing(make_user):
    content = (
        b"NPSN,Nama,Bentuk Pendidikan,Status Sekolah,Lintang,Bujur\n"
        b"99000001,SD A,SD,Negeri,-6.37229,106.81794\n"
        b"99000002,SD B,SD,Negeri,-6.37229,abc\n"
    )
    response = client_for(make_user("asset_officer")).post(
        URL + "import/", upload(content=content), format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 2, "column": "Bujur", "message": "Must be a number."}
    ]
    assert ReferenceFacility.objects.count() == 0


def test_link_to_an_asset_of_the_same_type(make_user, make_asset):
    officer = make_user("asset_officer")
    sd = make_asset(use="education", facility_type="sd")
    item = facility()
    response = client_for(officer).post(f"{URL}{item.pk}/link/", {"asset": sd.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["asset"] == sd.pk
    item.refresh_from_db()
    assert item.asset_id == sd.pk
    assert item.history.count() == 2
    unlink = client_for(officer).post(f"{URL}{item.pk}/link/", {"asset": None}, format="json")
    assert (unlink.status_code, unlink.json()["asset"]) == (200, None)


def test_link_to_an_asset_of_another_type_is_400_naming_asset(make_user, make_asset):
    smp = make_asset(use="education", facility_type="smp")
    item = facility()
    response = client_for(make_user("asset_officer")).post(
        f"{URL}{item.pk}/link/", {"asset": smp.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "asset": [str(ASSET_OTHER_TYPE).format(asset_type="smp", facility_type="sd")]
    }
    item.refresh_from_db()
    assert item.asset_id is None


def test_an_asset_is_linked_to_one_facility_only(make_user, make_asset):
    sd = make_asset(use="education", facility_type="sd")
    first = facility(national_id="99000101", asset=sd)
    second = facility(national_id="99000102")
    response = client_for(make_user("asset_officer")).post(
        f"{URL}{second.pk}/link/", {"asset": sd.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"asset": [str(ASSET_ALREADY_LINKED).format(other=first.pk)]}


def test_unknown_asset_is_400_naming_asset(make_user):
    item = facility()
    response = client_for(make_user("asset_officer")).post(
        f"{URL}{item.pk}/link/", {"asset": 999999}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["asset"]


def test_officer_of_another_agency_may_not_link_the_asset(make_user, make_asset):
    sd = make_asset(use="education", facility_type="sd", custodian_agency="DISDIK")
    item = facility()
    outsider = officer_join(make_user("asset_officer", agency=None), "DINKES")
    response = client_for(outsider).post(f"{URL}{item.pk}/link/", {"asset": sd.pk}, format="json")
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.asset_id is None
    own = officer_join(make_user("asset_officer", agency=None), "DISDIK")
    response = client_for(own).post(f"{URL}{item.pk}/link/", {"asset": sd.pk}, format="json")
    assert response.status_code == 200
