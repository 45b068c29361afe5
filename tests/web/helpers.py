"""Shared pieces of the portal's tests: a vendor signed in on a Django test client."""

from django.test import Client

from tests.conftest import TEST_LANGUAGE
from tests.outlets.helpers import PASSWORD


def web_client(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=TEST_LANGUAGE)
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD) or client.force_login(user)
    return client


def register_data(**overrides) -> dict:
    data = {
        "username": "ani",
        "password": "Stall-pass-2026!",
        "password2": "Stall-pass-2026!",
        "full_name": "Ani Rahayu",
        "nik": "3276065705900001",
        "phone": "081234567890",
        "email": "",
        "business_name": "Kue Ani",
        "product_category": "culinary",
        "wub_participant": "on",
        "women_programme": "on",
        "home_kelurahan": "32.76.06.1002",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
