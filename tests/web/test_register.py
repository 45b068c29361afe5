"""Registration on the web: the same rules as the API, each refusal next to its field, nothing
written; the domicile is the KTP's kelurahan or outside Depok."""

import re

import pytest
from django.contrib.auth import get_user_model
from rest_framework.throttling import ScopedRateThrottle

from outlets.models import Vendor
from outlets.services import vendors as vendor_services
from tests.outlets.helpers import make_nik
from tests.web.helpers import register_data, web_client
from web.forms.vendor import DOMICILE_REQUIRED, PASSWORDS_DIFFER

pytestmark = pytest.mark.django_db
User = get_user_model()
URL = "/vendor/register/"


def field_errors(html: str, field: str) -> list[str]:
    """The messages shown next to a field (its errors list, tied to the input)."""
    match = re.search(
        rf'<ul class="field-errors" id="id_{field}_errors" role="alert">(.*?)</ul>', html, re.S
    )
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else []


def test_the_form_has_every_field_labelled():
    html = web_client().get(URL).content.decode()
    for field in ("username", "password", "password2", "full_name", "nik", "phone", "email",
                  "business_name", "product_category", "wub_participant", "women_programme",
                  "home_kelurahan"):  # fmt: skip
        assert f'<label for="id_{field}">' in html, field
    # 63 kelurahan, a prompt and "outside Kota Depok"
    assert html.count('<option value="32.76.') == 63
    assert '<option value="outside">Outside Kota Depok</option>' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_registering_signs_in_and_lands_on_the_vendor_page():
    client = web_client()
    response = client.post(URL, register_data(email="ani@example.test"))
    assert response.status_code == 302
    assert response["Location"] == "/vendor/"
    vendor = Vendor.objects.get()
    assert (vendor.user.username, vendor.user.email) == ("ani", "ani@example.test")
    assert (vendor.wub_participant, vendor.women_programme) == (True, True)
    assert vendor.home_kelurahan_id == "32.76.06.1002"
    page = client.get("/vendor/")
    assert page.status_code == 200
    assert "Hello, Ani Rahayu" in page.content.decode()


def test_a_depok_resident_with_a_jakarta_nik_registers_in_both_programmes():
    response = web_client().post(URL, register_data(nik=make_nik(region="317101", female=True)))
    assert response.status_code == 302
    assert Vendor.objects.get().women_programme is True


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"username": "bad name!"}, "username", None),
        ({"username": ""}, "username", "This field is required."),
        ({"password": "123", "password2": "123"}, "password", None),
        ({"password2": "Other-pass-2026!"}, "password2", str(PASSWORDS_DIFFER)),
        ({"full_name": ""}, "full_name", "This field is required."),
        ({"nik": "12345"}, "nik", "A NIK is exactly 16 digits."),
        ({"nik": "3276067305900001"}, "nik", None),
        ({"phone": "12"}, "phone", None),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"business_name": ""}, "business_name", "This field is required."),
        ({"product_category": "weapons"}, "product_category", None),
        ({"home_kelurahan": ""}, "home_kelurahan", str(DOMICILE_REQUIRED)),
        ({"home_kelurahan": "31.71.01.1001"}, "home_kelurahan", None),
        (
            {"home_kelurahan": "outside"},
            "wub_participant",
            str(vendor_services.WUB_NOT_ELIGIBLE),
        ),
        (
            {"nik": make_nik(sequence="0042")},  # a man
            "women_programme",
            None,
        ),
    ],
)
def test_each_bad_input_is_shown_next_to_its_field_and_writes_nothing(overrides, field, message):
    response = web_client().post(URL, register_data(**overrides))
    assert response.status_code == 400
    errors = field_errors(response.content.decode(), field)
    assert errors, f"no message next to {field}"
    if message is not None:
        assert errors == [message]
    # the input names its message for screen readers
    assert 'aria-describedby="' in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert Vendor.objects.count() == 0
    assert User.objects.count() == 0


def test_a_taken_nik_is_refused_like_any_other_refused_nik():
    assert web_client().post(URL, register_data()).status_code == 302
    response = web_client().post(URL, register_data(username="ani2"))
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "nik") == [str(vendor_services.NIK_NOT_ACCEPTED)]
    assert Vendor.objects.count() == 1


def test_outside_depok_without_programmes_registers_with_no_domicile():
    data = register_data(home_kelurahan="outside", wub_participant=None, women_programme=None)
    assert web_client().post(URL, data).status_code == 302
    assert Vendor.objects.get().home_kelurahan_id is None


def test_registration_shares_the_apis_budget_per_address(monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"register": "2/hour"})
    client = web_client()
    web = client.post(URL, register_data(username="x1", nik="bad"))
    api = client.post(
        "/api/v1/vendors/register/", {"username": "x2"}, content_type="application/json"
    )
    third = client.post(URL, register_data())
    assert [web.status_code, api.status_code, third.status_code] == [400, 400, 429]
    assert third["Retry-After"]
    assert Vendor.objects.count() == 0


def test_the_form_refuses_a_post_without_csrf():
    from django.test import Client

    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    assert client.post(URL, register_data()).status_code == 403
    assert Vendor.objects.count() == 0
