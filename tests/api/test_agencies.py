"""Agencies (#17): an officer writes only her agency's assets, the managing agency's officers
write all; kode barang from the Permendagri 108/2016 list, matching the category; the register
number the service assigns per agency, kode barang and year."""

import pytest

from assets_app.agencies import NO_AGENCY, OTHER_AGENCY
from assets_app.kode_barang import ITEM_CODE_UNKNOWN, ITEM_CODE_WRONG_CATEGORY, item_codes
from assets_app.models import Agency, Asset
from assets_app.services import LAND_LINK_FOR_BUILDINGS, LAND_NOT_FOUND
from core.roles import ASSET_OFFICER, PLANNER
from tests.conftest import BEJI_POINT, client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/assets/"
POINT = {"type": "Point", "coordinates": list(BEJI_POINT)}


@pytest.fixture
def officers(make_user):
    """One officer of Dinas Pendidikan, one of Dinas Kesehatan, one of the managing agency."""
    return {
        agency: make_user(ASSET_OFFICER, username=f"officer_{agency.lower()}", agency=agency)
        for agency in ("DISDIK", "DINKES", "BKD")
    }


@pytest.fixture
def schools(make_asset):
    """A school of each user agency's (the fixture registers without a user: unscoped)."""
    return {
        agency: make_asset(
            use="education", facility_type="sd", name=f"SD of {agency}", custodian_agency=agency
        )
        for agency in ("DISDIK", "DINKES")
    }


# Every (officer's agency, asset's agency) pair and what a write answers.
PAIRS = [
    ("DISDIK", "DISDIK", 200),
    ("DISDIK", "DINKES", 403),
    ("DINKES", "DINKES", 200),
    ("DINKES", "DISDIK", 403),
    ("BKD", "DISDIK", 200),
    ("BKD", "DINKES", 200),
]


@pytest.mark.parametrize(("officer_of", "asset_of", "expected"), PAIRS)
def test_an_officer_edits_only_her_agencys_assets(
    officers, schools, officer_of, asset_of, expected
):
    client = client_for(officers[officer_of])
    asset = schools[asset_of]
    url = f"{URL}{asset.pk}/"

    response = client.patch(url, {"name": "SD renamed"}, format="json")

    assert response.status_code == expected
    asset.refresh_from_db()
    if expected == 403:
        assert response.json() == {
            "detail": str(OTHER_AGENCY).format(agency=asset_of, own=officer_of)
        }
        assert asset.name == f"SD of {asset_of}"
        assert asset.history.count() == 1
    else:
        assert asset.name == "SD renamed"
        assert asset.history.count() == 2
    # Still readable either way.
    read = client.get(url)
    assert read.status_code == 200
    assert read.json()["custodian_agency"] == asset_of


@pytest.mark.parametrize(("officer_of", "asset_of", "expected"), PAIRS)
def test_an_officer_registers_only_for_her_agency(officers, officer_of, asset_of, expected):
    body = {
        "register_code": "REG-1",
        "name": "New school",
        "category": "building",
        "use": "education",
        "facility_type": "sd",
        "geometry": POINT,
        "custodian_agency": asset_of,
    }
    response = client_for(officers[officer_of]).post(URL, body, format="json")
    assert response.status_code == (201 if expected == 200 else 403)
    assert Asset.objects.filter(custodian_agency_id=asset_of).count() == (expected == 200)


def test_an_officer_may_not_hand_her_asset_to_another_agency(officers, schools):
    asset = schools["DISDIK"]
    response = client_for(officers["DISDIK"]).patch(
        f"{URL}{asset.pk}/", {"custodian_agency": "DINKES"}, format="json"
    )
    assert response.status_code == 403
    asset.refresh_from_db()
    assert asset.custodian_agency_id == "DISDIK"
    # The managing agency moves it.
    response = client_for(officers["BKD"]).patch(
        f"{URL}{asset.pk}/", {"custodian_agency": "DINKES"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["custodian_agency"] == "DINKES"


def test_an_officer_without_an_agency_writes_nothing(make_user, schools):
    client = client_for(make_user(ASSET_OFFICER, agency=None))
    asset = schools["DISDIK"]
    response = client.patch(f"{URL}{asset.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": str(NO_AGENCY)}
    response = client.post(
        URL,
        {"register_code": "R", "name": "n", "category": "land", "use": "vacant", "geometry": POINT},
        format="json",
    )
    assert response.status_code == 403
    assert Asset.objects.count() == 2


def test_an_unknown_agency_is_a_400_naming_it(officers):
    response = client_for(officers["BKD"]).post(
        URL,
        {
            "register_code": "R",
            "name": "n",
            "category": "land",
            "use": "vacant",
            "geometry": POINT,
            "custodian_agency": "NOPE",
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["custodian_agency"]
    assert Asset.objects.count() == 0


def test_the_agency_list(client_as):
    body = client_as(PLANNER).get("/api/v1/agencies/?limit=100").json()
    codes = [a["code"] for a in body["results"]]
    assert codes == sorted(Agency.objects.values_list("code", flat=True))
    assert len(codes) == 15
    managing = [a["code"] for a in body["results"] if a["kind"] == "managing"]
    assert managing == ["BKD"]
    assert [a["code"] for a in body["results"] if a["runs_outlets"]] == ["DKUM"]
    assert client_as(PLANNER).get("/api/v1/agencies/DISDIK/").json()["name"] == "Dinas Pendidikan"


# --- kode barang --------------------------------------------------------------------------------


def _land(**overrides):
    return {
        "register_code": "KIB-A-1",
        "name": "Tanah kantor",
        "category": "land",
        "use": "office",
        "geometry": POINT,
        "item_code": "1.3.1.01.01.04.001",
        "acquisition_year": 2015,
        **overrides,
    }


def test_a_land_asset_with_a_building_code_is_refused(client_as):
    response = client_as(ASSET_OFFICER).post(
        URL, _land(item_code="1.3.3.01.01.01.001"), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "item_code": [
            str(ITEM_CODE_WRONG_CATEGORY).format(code="1.3.3.01.01.01.001", category="land")
        ]
    }
    assert Asset.objects.count() == 0


def test_a_code_not_in_the_list_is_refused(client_as):
    # Well formed, but no such kode barang.
    response = client_as(ASSET_OFFICER).post(
        URL, _land(item_code="1.3.1.01.01.09.999"), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "item_code": [str(ITEM_CODE_UNKNOWN).format(code="1.3.1.01.01.09.999")]
    }
    assert Asset.objects.count() == 0


def test_a_building_code_on_an_edit_of_land_is_refused(client_as):
    client = client_as(ASSET_OFFICER)
    asset = client.post(URL, _land(), format="json").json()
    response = client.patch(
        f"{URL}{asset['id']}/", {"item_code": "1.3.3.01.01.01.002"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["item_code"]
    assert Asset.objects.get().item_code == "1.3.1.01.01.04.001"


def test_the_list_holds_land_and_building_codes_only():
    codes = item_codes()
    assert len(codes) == 22  # the shipped extract (assets_app/data/README.md)
    assert all(code.startswith(("1.3.1.", "1.3.3.")) for code in codes)
    assert codes["1.3.3.01.01.01.001"] == "Bangunan Gedung Kantor Permanen"


def test_register_numbers_count_per_agency_code_and_year(client_as, make_user):
    bkd = client_as(ASSET_OFFICER)
    disdik = client_for(make_user(ASSET_OFFICER, agency="DISDIK"))
    answers = [
        bkd.post(URL, _land(register_code="A1"), format="json").json(),
        bkd.post(URL, _land(register_code="A2"), format="json").json(),
        bkd.post(URL, _land(register_code="A3", acquisition_year=2016), format="json").json(),
        bkd.post(
            URL, _land(register_code="A4", item_code="1.3.1.01.01.01.005"), format="json"
        ).json(),
        disdik.post(URL, _land(register_code="A5"), format="json").json(),
        bkd.post(URL, _land(register_code="A6"), format="json").json(),
    ]
    assert [(a["custodian_agency"], a["register_number"]) for a in answers] == [
        ("BKD", 1),
        ("BKD", 2),
        ("BKD", 1),  # another year
        ("BKD", 1),  # another kode barang
        ("DISDIK", 1),  # another agency
        ("BKD", 3),
    ]
    # Moving to another year renumbers within the new key.
    moved = bkd.patch(f"{URL}{answers[0]['id']}/", {"acquisition_year": 2016}, format="json")
    assert moved.status_code == 200, moved.json()
    assert moved.json()["register_number"] == 2
    # The number is the service's: a client cannot set it.
    refused = bkd.patch(f"{URL}{answers[1]['id']}/", {"register_number": 9}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["register_number"]


def test_a_building_names_the_land_it_stands_on(client_as):
    client = client_as(ASSET_OFFICER)
    client.post(URL, _land(register_code="TANAH-1"), format="json")
    building = {
        "register_code": "GEDUNG-1",
        "name": "Gedung kantor",
        "category": "building",
        "use": "office",
        "geometry": POINT,
        "item_code": "1.3.3.01.01.01.001",
    }
    missing = client.post(URL, {**building, "land_register_code": "TANAH-9"}, format="json")
    assert missing.status_code == 400
    assert missing.json() == {"land_register_code": [str(LAND_NOT_FOUND).format(code="TANAH-9")]}
    on_land = client.post(
        URL, _land(register_code="TANAH-2", land_register_code="TANAH-1"), format="json"
    )
    assert on_land.json() == {"land_register_code": [str(LAND_LINK_FOR_BUILDINGS)]}
    ok = client.post(URL, {**building, "land_register_code": "TANAH-1"}, format="json")
    assert ok.status_code == 201
    assert ok.json()["land_register_code"] == "TANAH-1"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_registrations_take_distinct_register_numbers(make_user):
    from tests.assets_app.test_reclassification import race

    officers = [make_user(ASSET_OFFICER, agency="DISDIK") for _ in range(8)]

    responses = race(
        8,
        lambda i: client_for(officers[i]).post(
            URL, _land(register_code=f"RACE-{i}"), format="json"
        ),
    )

    assert sorted(r.status_code for r in responses) == [201] * 8
    numbers = sorted(
        Asset.objects.filter(custodian_agency_id="DISDIK").values_list("register_number", flat=True)
    )
    assert numbers == list(range(1, 9))
