"""Vendor registration and profile: NIK checks, programme claims, privacy of the NIK, throttling."""

import logging
from datetime import date

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from outlets import nik as nik_module
from outlets import services
from outlets.models import Vendor
from outlets.services import vendors as vendor_services
from tests.outlets.helpers import make_nik, make_vendor

pytestmark = pytest.mark.django_db
User = get_user_model()
URL = "/api/v1/vendors/register/"
NIK = "3276065705900001"  # a woman born 17 May 1990, Kecamatan Beji
PW = "Stall-pass-2026!"


def client_for_user(user) -> APIClient:
    from tests.conftest import client_for

    return client_for(user)


def body(**overrides):
    data = {
        "username": "siti",
        "password": "Stall-pass-2026!",
        "full_name": "Siti Aminah",
        "nik": NIK,
        "phone": "081234567890",
        "business_name": "Kue Siti",
        "product_category": "culinary",
        "nib": "1234567890123",
        "wub_participant": True,
        "women_programme": True,
        "home_kelurahan_code": "32.76.06.1002",
    }
    data.update(overrides)
    return data


def test_register_creates_a_vendor_with_a_token_and_a_masked_nik(api_client):
    response = api_client.post(URL, body(), format="json")
    assert response.status_code == 201
    data = response.json()
    vendor = Vendor.objects.get()
    assert data == {
        "id": vendor.pk,
        "username": "siti",
        "full_name": "Siti Aminah",
        "nik_masked": "3276********0001",
        "gender": "F",
        "phone": "081234567890",
        "business_name": "Kue Siti",
        "product_category": "culinary",
        "nib": "1234567890123",
        "wub_participant": True,
        "women_programme": True,
        "home_kelurahan_code": "32.76.06.1002",
        "home_kecamatan_code": "32.76.06",
        "verified_claims": [],
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
        "token": data["token"],
    }
    assert vendor.user.groups.filter(name="vendor").exists()
    assert vendor.birth_date == date(1990, 5, 17)
    assert nik_module.nik_decrypt(vendor.nik_encrypted) == NIK
    assert vendor.nik_hash == nik_module.nik_hash(NIK)
    # the token works for the vendor's own profile
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {data['token']}")
    me = client.get("/api/v1/vendors/me/")
    assert me.status_code == 200
    assert me.json()["id"] == vendor.pk


def test_the_nik_never_appears_in_responses_logs_history_or_any_table(api_client, caplog):
    caplog.set_level(logging.DEBUG)
    created = api_client.post(URL, body(), format="json")
    duplicate = api_client.post(URL, body(username="siti2"), format="json")
    false_claim = api_client.post(
        URL,
        body(username="x", nik=make_nik(region="317101"), home_kelurahan_code=None),
        format="json",
    )
    bad = api_client.post(URL, body(username="y", nik=NIK[:15] + "x"), format="json")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {created.json()['token']}")
    patched = client.patch("/api/v1/vendors/me/", {"phone": "08111111111"}, format="json")
    assert [r.status_code for r in (created, duplicate, false_claim, bad, patched)] == [
        201,
        400,
        400,
        400,
        200,
    ]
    for response in (created, duplicate, false_claim, bad, patched):
        assert NIK not in response.content.decode()
        assert NIK[:15] not in response.content.decode()
    assert NIK not in caplog.text
    # no column of any table (history and audit trail included) holds the NIK
    for model in apps.get_models():
        for row in model.objects.values_list():
            assert all(NIK not in str(value) for value in row), model._meta.label
    assert Vendor.history.count() == 2
    assert not hasattr(Vendor.history.model, "nik_encrypted")


def test_one_account_per_nik(api_client):
    assert api_client.post(URL, body(), format="json").status_code == 201
    response = api_client.post(URL, body(username="another"), format="json")
    assert response.status_code == 400
    assert response.json() == {"nik": [str(services.NIK_NOT_ACCEPTED)]}
    assert User.objects.filter(username="another").count() == 0
    assert Vendor.objects.count() == 1


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("12345", nik_module.NIK_FORMAT),
        ("1076065705900001", nik_module.NIK_PROVINCE),
        ("3200065705900001", nik_module.NIK_REGENCY),
        ("3276125705900001", nik_module.NIK_KECAMATAN),
        ("3276067305900001", nik_module.NIK_BIRTH_DATE),
        ("3276065705900000", nik_module.NIK_SEQUENCE),
    ],
)
def test_an_invalid_nik_is_a_400_naming_nik(api_client, nik, message):
    response = api_client.post(URL, body(nik=nik), format="json")
    assert response.status_code == 400
    assert response.json() == {"nik": [str(message)]}
    assert Vendor.objects.count() == 0
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("nik", "claims", "errors"),
    [
        # a man cannot join the women's programme
        (
            make_nik(sequence="0001"),
            {"women_programme": True, "wub_participant": False},
            {"women_programme": [str(vendor_services.WOMEN_NOT_ELIGIBLE)]},
        ),
        # a woman whose KTP address is outside Depok is in neither Depok programme, even with
        # a NIK first issued in Depok
        (
            make_nik(female=True),
            {"women_programme": True, "wub_participant": True, "home_kelurahan_code": None},
            {
                "women_programme": [str(vendor_services.WOMEN_NOT_ELIGIBLE)],
                "wub_participant": [str(vendor_services.WUB_NOT_ELIGIBLE)],
            },
        ),
        # a Depok boy of 12 is too young for WUB
        (
            make_nik(born=date(2014, 1, 1)),
            {"wub_participant": True, "women_programme": False},
            {"wub_participant": [str(vendor_services.WUB_NOT_ELIGIBLE)]},
        ),
    ],
)
def test_a_false_programme_claim_is_a_400_naming_it(api_client, nik, claims, errors):
    response = api_client.post(URL, body(nik=nik, **claims), format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert Vendor.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", ""),
        ("username", "bad name!"),
        ("password", "123"),
        ("full_name", ""),
        ("nik", ""),
        ("nik", ["3276065705900001"]),
        ("phone", "12"),
        ("business_name", ""),
        ("product_category", "weapons"),
        ("nib", "12345"),
        ("nib", "12345678901234"),
        ("wub_participant", "perhaps"),
        ("women_programme", "perhaps"),
        ("home_kelurahan_code", "32.76.06"),  # a kecamatan, not a kelurahan
        ("home_kelurahan_code", "31.71.01.1001"),  # not in Depok
    ],
)
def test_each_bad_field_is_a_400_naming_it(api_client, field, value):
    response = api_client.post(URL, body(**{field: value}), format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Vendor.objects.count() == 0
    assert User.objects.count() == 0


def test_each_missing_required_field_is_named(api_client):
    response = api_client.post(URL, {}, format="json")
    assert response.status_code == 400
    assert sorted(response.json()) == sorted(
        ["username", "password", "full_name", "nik", "phone", "business_name", "product_category"]
    )


def test_username_taken_is_a_400(api_client, make_user):
    make_user("planner", username="siti")
    response = api_client.post(URL, body(), format="json")
    assert response.status_code == 400
    assert response.json() == {"username": [str(services.USERNAME_TAKEN)]}
    assert Vendor.objects.count() == 0


def test_optional_fields_may_be_left_out(api_client):
    data = body(wub_participant=False, women_programme=False)
    for field in ("nib", "wub_participant", "women_programme", "home_kelurahan_code"):
        data.pop(field)
    response = api_client.post(URL, data, format="json")
    assert response.status_code == 201
    assert response.json()["home_kelurahan_code"] is None
    assert response.json()["nib"] == ""


def test_registration_is_throttled(api_client, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"register": "2/hour"})
    codes = [
        api_client.post(
            URL,
            body(username=f"u{i}", nik=make_nik(), wub_participant=False, women_programme=False),
            format="json",
        ).status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]
    assert Vendor.objects.count() == 2


def test_vendor_profile_patch_rechecks_claims(client_as):
    vendor = make_vendor(nik=make_nik(sequence="0042"))  # a man
    client = client_as(user=vendor.user)
    response = client.patch("/api/v1/vendors/me/", {"women_programme": True}, format="json")
    assert response.status_code == 400
    assert response.json() == {"women_programme": [str(vendor_services.WOMEN_NOT_ELIGIBLE)]}
    vendor.refresh_from_db()
    assert vendor.women_programme is False
    response = client.patch(
        "/api/v1/vendors/me/",
        {"wub_participant": True, "business_name": "Bakso Pak Budi"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["wub_participant"] is True
    assert response.json()["business_name"] == "Bakso Pak Budi"
    assert response.json()["home_kelurahan_code"] == "32.76.06.1002"
    # moving out of Depok (no Depok kelurahan on the KTP) while claiming WUB is refused
    response = client.patch("/api/v1/vendors/me/", {"home_kelurahan_code": None}, format="json")
    assert response.status_code == 400
    assert response.json() == {"wub_participant": [str(vendor_services.WUB_NOT_ELIGIBLE)]}
    vendor.refresh_from_db()
    assert vendor.home_kelurahan_id == "32.76.06.1002"


def test_a_depok_resident_with_a_nik_issued_in_jakarta_joins_both_programmes(api_client):
    # given a woman living in Beji whose NIK was first issued in Jakarta Pusat (31.71.01)
    jakarta_nik = make_nik(region="317101", female=True, sequence="0007")
    # when she registers with her KTP's Depok kelurahan
    response = api_client.post(URL, body(nik=jakarta_nik), format="json")
    # then both programme claims stand: eligibility is by domicile, not the NIK's region
    assert response.status_code == 201
    vendor = Vendor.objects.get()
    assert (vendor.wub_participant, vendor.women_programme) == (True, True)
    assert vendor.home_kelurahan_id == "32.76.06.1002"
    assert response.json()["nik_masked"] == "3171********0007"


def test_a_depok_nik_holder_living_outside_depok_is_refused_both_programmes(api_client):
    # a NIK first issued in Beji, but a KTP address outside Kota Depok (no Depok kelurahan)
    response = api_client.post(
        URL, body(nik=make_nik(female=True), home_kelurahan_code=None), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "women_programme": [str(vendor_services.WOMEN_NOT_ELIGIBLE)],
        "wub_participant": [str(vendor_services.WUB_NOT_ELIGIBLE)],
    }
    assert Vendor.objects.count() == 0
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "x"), ("nib", "1"), ("product_category", "x"), ("home_kelurahan_code", "1")],
)
def test_vendor_profile_patch_bad_field_is_a_400(client_as, field, value):
    vendor = make_vendor()
    response = client_as(user=vendor.user).patch(
        "/api/v1/vendors/me/", {field: value}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Vendor.objects.get().history.count() == 1


def test_nik_cannot_be_changed_through_the_profile(client_as):
    vendor = make_vendor()
    response = client_as(user=vendor.user).patch(
        "/api/v1/vendors/me/", {"nik": "3276061705900002"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"nik": [str(services.FIELD_NOT_WRITABLE)]}
    assert Vendor.objects.get().nik_hash == vendor.nik_hash


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("anonymous", 401),
        ("asset_officer", 403),
        ("asset_approver", 403),
        ("outlet_manager", 403),
        ("planner", 403),
    ],
)
def test_only_vendors_have_a_profile(role_clients, role, code):
    client = role_clients[role]
    assert client.get("/api/v1/vendors/me/").status_code == code
    assert client.patch("/api/v1/vendors/me/", {"phone": "0811111111"}).status_code == code


def test_a_vendor_role_without_a_profile_is_refused(client_as):
    response = client_as("vendor").get("/api/v1/vendors/me/")
    assert response.status_code == 403
    assert response.json() == {"detail": str(services.VENDOR_PROFILE_REQUIRED)}


def test_registration_tolerates_a_bad_token_header(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token nonsense")
    assert api_client.post(URL, body(), format="json").status_code == 201


def _nik_free(text: str, niks: list[str]) -> list[str]:
    return [nik for nik in niks if nik in text]


def test_no_full_nik_anywhere_across_every_vendor_endpoint(
    api_client, make_user, make_asset, django_user_model, caplog
):
    """Several vendors through every vendor endpoint, error paths included: no response body or
    header, log line (every logger at DEBUG, SQL included), history row or audit event holds a
    full NIK."""
    from django.db import connection

    from core.models import AuditEvent
    from outlets.models import Offer
    from tests.outlets.helpers import make_outlet, make_round

    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True  # log every SQL statement with its parameters
    niks = [make_nik(female=True), make_nik(female=True), make_nik()]
    manager = make_user("outlet_manager")
    planner = client_for_user(make_user("planner"))
    outlet = make_outlet(make_asset, manager, stalls=(("K-01", "kiosk"), ("K-02", "kiosk")))
    round_ = make_round(manager, [outlet], status="open")
    responses = []

    def call(client, method, url, data=None, fmt="json"):
        response = getattr(client, method)(url, data, format=fmt)
        responses.append((method, url, response))
        return response

    try:
        clients = []
        for i, nik in enumerate(niks):
            claims = {"wub_participant": True, "women_programme": i < 2}
            created = call(api_client, "post", URL, body(username=f"v{i}", nik=nik, **claims))
            assert created.status_code == 201, created.json()
            token = call(
                api_client, "post", "/api/v1/auth/token/", {"username": f"v{i}", "password": PW}
            ).json()["token"]
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            clients.append(client)
        # error paths, each answered with a NIK in the request
        errors = [
            call(api_client, "post", URL, body(username="dup", nik=niks[0])),  # duplicate
            call(api_client, "post", URL, body(username="man", nik=niks[2])),  # man, women's claim
            call(api_client, "post", URL, body(username="bad", nik=niks[0][:15] + "x")),
            call(api_client, "post", URL, body(username="lst", nik=[niks[1]])),
            call(api_client, "post", URL, body(username="x y", nik=niks[1], phone="1")),
            call(api_client, "post", URL, body(nik=niks[1]), fmt="multipart"),
            call(clients[0], "patch", "/api/v1/vendors/me/", {"nik": niks[1]}),
            call(clients[2], "patch", "/api/v1/vendors/me/", {"women_programme": True}),
            call(clients[0], "patch", "/api/v1/vendors/me/", {"phone": niks[0]}),
            call(
                api_client, "post", "/api/v1/auth/token/", {"username": "v0", "password": niks[0]}
            ),
        ]
        assert [r.status_code for r in errors] == [400] * len(errors)
        # every vendor endpoint, as the vendors, the manager and a planner see it
        for i, client in enumerate(clients):
            call(client, "get", "/api/v1/vendors/me/")
            call(client, "patch", "/api/v1/vendors/me/", {"business_name": f"Warung {i}"})
            call(client, "get", "/api/v1/rounds/")
            call(client, "get", f"/api/v1/rounds/{round_.pk}/")
            choices = {"choices": [{"outlet": outlet.pk, "stall_kind": "kiosk"}]}
            applied = call(client, "post", f"/api/v1/rounds/{round_.pk}/applications/", choices)
            assert applied.status_code == 201
            call(client, "post", f"/api/v1/rounds/{round_.pk}/applications/", choices)  # 409
            call(client, "get", "/api/v1/applications/mine/")
            call(client, "get", f"/api/v1/applications/{applied.json()['id']}/")
            call(client, "patch", f"/api/v1/applications/{applied.json()['id']}/", choices)
        manager_client = client_for_user(manager)
        call(manager_client, "post", f"/api/v1/rounds/{round_.pk}/close/")
        call(manager_client, "post", f"/api/v1/rounds/{round_.pk}/allocate/")
        for reader in (manager_client, planner):
            call(reader, "get", f"/api/v1/rounds/{round_.pk}/results/")
        # The lottery seed is drawn at random, so who gets an offer varies: the first offer
        # seen is accepted and the others declined, which exercises both paths every run.
        accepted = False
        for client in clients:
            for offer in call(client, "get", "/api/v1/offers/").json()["results"]:
                call(client, "get", f"/api/v1/offers/{offer['id']}/")
                action = "decline" if accepted else "accept"
                accepted = True
                call(client, "post", f"/api/v1/offers/{offer['id']}/{action}/")
            call(client, "get", "/api/v1/leases/")
        for reader in (manager_client, planner):
            for url in ("/api/v1/offers/", "/api/v1/leases/", "/api/v1/stats/programme/"):
                call(reader, "get", url)
        for url in (
            "/api/v1/audit/?object_type=outlets.vendor&limit=1000",
            "/api/v1/audit/?limit=1000",
        ):
            call(planner, "get", url)
        # the admin's vendor pages
        admin = django_user_model.objects.create_superuser("root", "r@example.org", PW)
        admin_client = APIClient()
        admin_client.force_login(admin)
        vendor = Vendor.objects.order_by("pk").first()
        for url in (
            "/admin/outlets/vendor/",
            f"/admin/outlets/vendor/{vendor.pk}/change/",
            f"/admin/outlets/vendor/{vendor.pk}/history/",
        ):
            assert call(admin_client, "get", url).status_code == 200, url
    finally:
        connection.force_debug_cursor = False

    assert Vendor.objects.count() == 3
    assert Offer.objects.filter(status="accepted").count() == 1
    assert len(responses) >= 60
    leaks = [
        (method, url)
        for method, url, response in responses
        if _nik_free(response.content.decode(errors="replace") + str(response.items()), niks)
    ]
    assert leaks == []
    assert "INSERT INTO" in caplog.text  # the SQL was logged, so the scan saw it
    assert [line for line in caplog.text.splitlines() if _nik_free(line, niks)] == []
    # no column of any table (history and audit trail included) holds a NIK
    for model in apps.get_models():
        for row in model.objects.values_list():
            assert _nik_free(str(row), niks) == [], model._meta.label
    assert AuditEvent.objects.filter(object_type="outlets.vendor").count() == 3 + 3
