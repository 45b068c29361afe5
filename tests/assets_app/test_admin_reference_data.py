"""Reference data the register checks against (#17 items 4 and 8): the kode barang list for land
(1.3.1) and buildings (1.3.3), and the agencies' kode lokasi."""

import csv
import re

import pytest
from django.core.exceptions import ValidationError

from assets_app.kode_barang import DATA, item_code_problem, item_codes
from assets_app.models import ITEM_CODE_RE, LOCATION_CODE_RE, Agency, Asset
from core.roles import ASSET_OFFICER

URL = "/api/v1/assets/"
POINT = {"type": "Point", "coordinates": [106.81794, -6.37229]}
CATEGORY_OF = {"1.3.1": "land", "1.3.3": "building"}


def test_every_shipped_code_is_valid_for_its_category():
    with DATA.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    codes = [row["code"] for row in rows]
    assert len(codes) == len(set(codes)) == len(item_codes()) == 22
    assert codes == sorted(codes)
    for row in rows:
        assert re.match(ITEM_CODE_RE, row["code"]), row
        assert row["name"].strip() == row["name"] != ""
        category = CATEGORY_OF[row["code"][:5]]
        assert item_code_problem(row["code"], category) is None
        other = "building" if category == "land" else "land"
        assert item_code_problem(row["code"], other) is not None
    assert sum(code.startswith("1.3.1.") for code in codes) == 12
    assert item_codes()["1.3.3.01.01.12.001"] == "Gedung Pertokoan/Koperasi/Pasar Permanen"
    assert item_codes()["1.3.3.01.01.32.001"] == "Bangunan Tempat Parkir"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("category", "code", "reason"),
    [
        ("land", "1.3.3.01.01.12.001", "not a land code"),
        ("building", "1.3.1.01.01.04.001", "not a building code"),
        ("land", "1.3.1.01.01.99.999", "not in the Permendagri 108/2016 list"),
    ],
)
def test_a_code_of_the_wrong_category_or_not_in_the_list_is_a_400(
    client_as, category, code, reason
):
    body = {
        "register_code": "KIB-X-1",
        "name": "Pasar Kukusan",
        "category": category,
        "use": "market",
        "item_code": code,
        "geometry": POINT,
    }
    response = client_as(ASSET_OFFICER).post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert list(response.json()) == ["item_code"]
    assert reason in response.json()["item_code"][0]
    assert Asset.objects.count() == 0


@pytest.mark.django_db
def test_seed_agencies_carry_a_kode_lokasi_of_kota_depok():
    codes = dict(Agency.objects.values_list("code", "location_code"))
    assert len(codes) == 15
    assert all(re.match(LOCATION_CODE_RE, value) for value in codes.values())
    assert all(value.startswith("12.32.76.") for value in codes.values())
    assert len(set(codes.values())) == 15  # one per agency
    assert codes["DISDIK"] == "12.32.76.08.01"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad", ["32.76", "12.32.76", "12-32-76-08-01", "12.32.76.8.1", "99.32.76.01"]
)
def test_a_kode_lokasi_of_another_shape_is_refused(bad):
    agency = Agency.objects.get(code="DISDIK")
    agency.location_code = bad
    with pytest.raises(ValidationError) as error:
        agency.full_clean()
    assert list(error.value.message_dict) == ["location_code"]


@pytest.mark.django_db
def test_the_admin_shows_a_bad_kode_lokasi_as_a_form_error(admin_client):
    agency = Agency.objects.get(code="DISDIK")
    form = {"code": "DISDIK", "name": agency.name, "kind": agency.kind, "location_code": "32.76"}
    response = admin_client.post(
        f"/admin/assets_app/agency/{agency.pk}/change/", form, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["location_code"]
    agency.refresh_from_db()
    assert agency.location_code == "12.32.76.08.01"
