"""The admin works for officers (#17): staff status follows the role, the groups carry their
permissions (set by migration), an officer changes only her agency's assets, the asset page
follows the KIB form, and `create_user --admin` makes an administrator."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from assets_app.models import Asset, OfficerProfile
from core.roles import ASSET_OFFICER, PLANNER, VENDOR

pytestmark = pytest.mark.django_db

PASSWORD = "Pass-word-123"
ASSETS = "/admin/assets_app/asset/"


def signed_in(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def test_staff_status_follows_the_role(make_user):
    assert make_user(ASSET_OFFICER).is_staff is True
    assert make_user(PLANNER).is_staff is True
    assert make_user(VENDOR).is_staff is False


def test_the_groups_carry_their_permissions():
    def codenames(role):
        return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))

    assert codenames("asset_officer") == {
        "view_asset",
        "add_asset",
        "change_asset",
        "view_agency",
        "view_reclassification",
        "view_document",
        "view_referencefacility",
    }
    # planners keep the providers' facilities, which count as supply
    assert codenames("planner") == {
        "view_asset",
        "view_agency",
        "view_reclassification",
        "view_referencefacility",
        "add_referencefacility",
        "change_referencefacility",
        "delete_referencefacility",
        # the money side of the leases they plan with (operations/migrations/0002)
        "view_lease",
        "view_bill",
        "view_payment",
    }
    assert codenames("vendor") == set()


def test_an_officer_signs_in_and_changes_only_her_agencys_assets(make_user, make_asset):
    make_user(ASSET_OFFICER, username="ani", agency="DISDIK")
    own = make_asset(register_code="OWN-1", custodian_agency="DISDIK")
    other = make_asset(register_code="OTHER-1", custodian_agency="DINKES")
    client = signed_in("ani")

    listing = client.get(ASSETS)
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "OWN-1" in body
    assert "OTHER-1" in body  # readable

    form = {
        "register_code": "x",
        "name": "Renamed",
        "category": "building",
        "use": "office",
        "facility_type": "",
        "geometry": '{"type": "Point", "coordinates": [106.81794, -6.37229]}',
        "condition": "good",
        "status": "in_service",
    }
    response = client.post(
        f"{ASSETS}{own.pk}/change/",
        {**form, "register_code": "OWN-1", "custodian_agency": "DISDIK"},
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.name == "Renamed"
    assert own.history.first().history_user.username == "ani"

    page = client.get(f"{ASSETS}{other.pk}/change/")
    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()  # shown read-only
    response = client.post(
        f"{ASSETS}{other.pk}/change/",
        {**form, "register_code": "OTHER-1", "custodian_agency": "DINKES"},
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.name != "Renamed"


def test_a_vendor_does_not_sign_in_to_the_admin(make_user):
    make_user(VENDOR, username="siti")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/admin/login/", {"username": "siti", "password": PASSWORD})
    assert response.status_code == 200  # the form again, with its error
    assert client.get("/admin/").status_code == 302


def test_the_asset_page_follows_the_kib_form(admin_client, make_asset):
    asset = make_asset()
    html = admin_client.get(f"{ASSETS}{asset.pk}/change/").content.decode()
    order = [
        'name="register_code"',
        'name="item_code"',
        'name="name"',
        'name="custodian_agency"',
        'name="land_area_m2"',
        'name="building_area_m2"',
        'name="condition"',
        'name="land_register_code"',
        'name="title_type"',
        'name="origin"',
        'name="acquisition_year"',
        'name="book_value"',
        'name="use"',
        'name="geometry"',
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_create_user_makes_an_officer_of_an_agency_and_an_administrator():
    out = io.StringIO()
    call_command(
        "create_user", "rudi", "--role", "asset_officer", "--agency", "BKD", "--password",
        PASSWORD, stdout=out,
    )  # fmt: skip
    assert OfficerProfile.objects.get(user__username="rudi").agency_id == "BKD"
    call_command("create_user", "root", "--admin", "--password", PASSWORD, stdout=out)
    client = signed_in("root")
    assert client.get("/admin/assets_app/agency/").status_code == 200
    with pytest.raises(Exception, match="No agency"):
        call_command(
            "create_user", "eka", "--role", "asset_officer", "--agency", "NOPE", stdout=out
        )
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="eka").exists()
    assert Asset.objects.count() == 0
