"""The one-time reset code: an outlet manager issues it after checking the KTP; the vendor sets a
new password with it once, within 24 hours; expired, reused and wrong codes are refused alike."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.throttling import ScopedRateThrottle

from core.models import PasswordResetCode
from core.reset_codes import KTP_NOT_CHECKED, RESET_CODE_INVALID, RESET_CODE_MAX_GUESSES
from tests.outlets.helpers import PASSWORD, make_vendor
from tests.web.helpers import web_client

pytestmark = pytest.mark.django_db
User = get_user_model()
PAGE = "/vendor/reset-code/"
NEW = "Fresh-pass-2027!"


@pytest.fixture
def vendor():
    return make_vendor(username="ani")


def issue(client_as, vendor, manager=None):
    client = client_as(user=manager) if manager else client_as("outlet_manager")
    response = client.post(
        f"/api/v1/vendors/{vendor.pk}/reset-code/", {"ktp_checked": True}, format="json"
    )
    assert response.status_code == 201
    return response.json()


def redeem(code, username="ani", password=NEW, password2=None):
    return web_client().post(
        PAGE,
        {
            "username": username,
            "code": code,
            "password": password,
            "password2": password2 or password,
        },
    )


def signs_in(password) -> bool:
    return web_client().login(username="ani", password=password)


def test_a_manager_issues_a_code_and_the_vendor_sets_a_new_password_once(client_as, vendor):
    # given
    token_before = Token.objects.get(user=vendor.user).key
    before = timezone.now()
    answer = issue(client_as, vendor)
    after = timezone.now()
    assert answer["vendor"] == vendor.pk
    assert re.fullmatch(r"[0-9]{8}", answer["code"])
    row = PasswordResetCode.objects.get()
    assert answer["code"] not in row.code_hash  # only a keyed hash is stored
    assert before + timedelta(hours=24) <= row.expires_at <= after + timedelta(hours=24)
    assert answer["expires_at"] == row.expires_at.isoformat().replace("+00:00", "Z")

    # when
    response = redeem(answer["code"])

    # then: the password changed, the old token is gone, the code is used up
    assert response.status_code == 200
    assert "Your new password is set." in response.content.decode()
    assert signs_in(NEW)
    assert not signs_in(PASSWORD)
    assert not Token.objects.filter(key=token_before).exists()
    row.refresh_from_db()
    assert row.used_at is not None

    # a second use is refused and changes nothing
    again = redeem(answer["code"], password="Other-pass-2028!")
    assert again.status_code == 400
    assert str(RESET_CODE_INVALID) in again.content.decode()
    assert signs_in(NEW)


def test_an_expired_code_is_refused(client_as, vendor):
    answer = issue(client_as, vendor)
    PasswordResetCode.objects.update(
        expires_at=PasswordResetCode.objects.get().created_at - timedelta(seconds=1)
    )
    response = redeem(answer["code"])
    assert response.status_code == 400
    assert str(RESET_CODE_INVALID) in response.content.decode()
    assert signs_in(PASSWORD)


@pytest.mark.parametrize("username", ["ani", "nobody"])
def test_a_wrong_code_or_username_is_refused_with_the_same_message(client_as, vendor, username):
    answer = issue(client_as, vendor)
    wrong = f"{(int(answer['code']) + 1) % 10**8:08d}"
    response = redeem(wrong if username == "ani" else answer["code"], username=username)
    assert response.status_code == 400
    html = response.content.decode()
    assert '<ul class="field-errors" id="id_code_errors" role="alert">' in html
    assert str(RESET_CODE_INVALID).replace("'", "&#x27;") in html
    assert signs_in(PASSWORD)
    assert PasswordResetCode.objects.get().used_at is None


def test_five_wrong_codes_end_the_live_code(client_as, vendor):
    answer = issue(client_as, vendor)
    wrong = f"{(int(answer['code']) + 1) % 10**8:08d}"
    for _ in range(RESET_CODE_MAX_GUESSES):
        assert redeem(wrong).status_code == 400
    assert redeem(answer["code"]).status_code == 400
    assert signs_in(PASSWORD)
    assert PasswordResetCode.objects.get().wrong_guesses == RESET_CODE_MAX_GUESSES


def test_a_new_code_ends_the_previous_one(client_as, vendor):
    first = issue(client_as, vendor)
    second = issue(client_as, vendor)
    assert redeem(first["code"]).status_code == 400
    assert redeem(second["code"]).status_code == 200


def test_a_weak_new_password_keeps_the_code(client_as, vendor):
    answer = issue(client_as, vendor)
    response = redeem(answer["code"], password="12345678")
    assert response.status_code == 400
    assert 'id="id_password_errors"' in response.content.decode()
    assert PasswordResetCode.objects.get().used_at is None
    assert redeem(answer["code"]).status_code == 200


def test_the_code_needs_the_ktp_checked_and_a_vendor(client_as, vendor, make_user):
    manager = client_as("outlet_manager")
    url = f"/api/v1/vendors/{vendor.pk}/reset-code/"
    assert manager.post(url, {"ktp_checked": False}, format="json").json() == {
        "ktp_checked": [str(KTP_NOT_CHECKED)]
    }
    assert manager.post(url, {}, format="json").status_code == 400
    assert manager.post(url, {"ktp_checked": "maybe"}, format="json").status_code == 400
    assert (
        manager.post(
            "/api/v1/vendors/999999999999/reset-code/", {"ktp_checked": True}, format="json"
        ).status_code
        == 404
    )
    assert PasswordResetCode.objects.count() == 0


@pytest.mark.parametrize("role", ["vendor", "planner", "asset_officer"])
def test_only_outlet_managers_issue_codes(client_as, vendor, role):
    response = client_as(role).post(
        f"/api/v1/vendors/{vendor.pk}/reset-code/", {"ktp_checked": True}, format="json"
    )
    assert response.status_code == 403
    assert PasswordResetCode.objects.count() == 0


def test_the_reset_page_is_throttled_per_address(client_as, vendor, monkeypatch):
    answer = issue(client_as, vendor)
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"password_reset": "2/hour"})
    codes = [redeem("00000000").status_code for _ in range(2)]
    last = redeem(answer["code"])
    assert codes + [last.status_code] == [400, 400, 429]
    assert signs_in(PASSWORD)
