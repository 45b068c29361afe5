"""`make run`'s demo for the portal: the demo vendor has a profile (her token answers 200 on
vendors/me/), two synthetic outlets with stalls stand in one open round, and `/` links to sign-in
and registration; running the command again changes nothing."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from outlets.models import AllocationRound, Outlet, Stall, Vendor

pytestmark = pytest.mark.django_db


def test_seed_demo_users_gives_the_demo_vendor_a_profile_and_an_open_round(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo_users")
    out = capsys.readouterr().out
    token = re.search(r"vendor\s+demo_vendor\s+Authorization: Token (\w+)", out).group(1)

    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/vendors/me/")
    assert me.status_code == 200
    assert me.json()["full_name"] == "Siti Demo (synthetic)"

    round_ = AllocationRound.objects.get()
    assert (round_.name, round_.status) == ("Putaran demo (synthetic)", "open")
    assert sorted(o.name for o in round_.outlets.all()) == [
        "Gerai UMKM Beji (synthetic)",
        "Gerai UMKM Sukmajaya (synthetic)",
    ]
    assert Stall.objects.count() == 6
    home = Client(HTTP_ACCEPT_LANGUAGE="en").get("/")
    html = home.content.decode()
    assert home.status_code == 200
    assert 'href="/accounts/login/?next=/"' in html
    assert 'href="/vendor/register/"' in html
    assert "Putaran demo (synthetic)" in html

    # the web sign-in works with the printed password and lands on the vendor pages
    web = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert (
        web.post(
            "/accounts/login/",
            {"username": "demo_vendor", "password": "demo-pass-2026", "next": "/"},
        )["Location"]
        == "/"
    )
    assert web.get("/")["Location"] == "/vendor/"
    assert web.get("/vendor/rounds/").status_code == 200

    # again: the same data, new tokens
    call_command("seed_demo_users")
    assert (Vendor.objects.count(), Outlet.objects.count(), AllocationRound.objects.count()) == (
        1,
        2,
        1,
    )
