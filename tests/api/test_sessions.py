"""Sign-in and sessions: throttled web and admin sign-in, tokens replaced when the password
changes, expiring and revocable tokens, and a password reset that is off without mail and tells
nothing when on."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from api.authentication import TOKEN_EXPIRED
from api.throttles import SIGN_IN_THROTTLED
from core.services import user_create_with_roles
from web.views import auth as auth_views

pytestmark = pytest.mark.django_db
PASSWORD = "Pass-word-123"
NEW_PASSWORD = "Another-Pass-456"
TOKEN = "/api/v1/auth/token/"
REVOKE = "/api/v1/auth/token/revoke/"
READ = "/api/v1/districts/"


@pytest.fixture
def rates(monkeypatch):
    def _set(**scopes: str) -> None:
        monkeypatch.setattr(
            ScopedRateThrottle,
            "THROTTLE_RATES",
            {"token": "1000/minute", "password_reset": "1000/hour", **scopes},
        )

    return _set


def token_works(key: str) -> int:
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}").get(READ).status_code


def key_of(user) -> str | None:
    return Token.objects.filter(user=user).values_list("key", flat=True).first()


# --- throttled sign-in ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_web_sign_in_is_throttled_before_the_password_is_checked(rates, make_user, url):
    # given: three sign-ins a minute per address, all spent on wrong guesses
    rates(token="3/minute")
    user = make_user("planner", username="ani")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client(REMOTE_ADDR="10.1.1.1", HTTP_ACCEPT_LANGUAGE="en")
    wrong = [client.post(url, {"username": "ani", "password": "guess"}) for _ in range(3)]
    assert [r.status_code for r in wrong] == [200, 200, 200]

    # when: the right password comes next
    blocked = client.post(url, {"username": "ani", "password": PASSWORD})

    # then: 429 with Retry-After and the translated reason; no session, no sign-in recorded
    assert blocked.status_code == 429
    assert 1 <= int(blocked["Retry-After"]) <= 60
    assert str(SIGN_IN_THROTTLED).encode() in blocked.content
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.last_login is None
    # another address signs in
    other = Client(REMOTE_ADDR="10.2.2.2").post(url, {"username": "ani", "password": PASSWORD})
    assert other.status_code == 302


def test_token_and_web_sign_in_share_one_budget_per_address(rates, make_user):
    rates(token="2/minute")
    make_user("planner", username="ani")
    api = APIClient(REMOTE_ADDR="10.1.1.1")
    wrong = [api.post(TOKEN, {"username": "ani", "password": "x"}).status_code for _ in range(2)]
    assert wrong == [400, 400]
    web = Client(REMOTE_ADDR="10.1.1.1")
    assert web.post("/accounts/login/", {"username": "ani", "password": PASSWORD}).status_code == (
        429
    )
    assert web.get("/accounts/login/").status_code == 200  # the form itself is not counted


def test_indonesian_throttle_message(rates, make_user):
    rates(token="1/minute")
    client = Client(REMOTE_ADDR="10.1.1.1", HTTP_ACCEPT_LANGUAGE="id")
    client.post("/accounts/login/", {"username": "x", "password": "y"})
    blocked = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert blocked.status_code == 429
    assert b"Terlalu banyak percobaan masuk" in blocked.content


# --- a changed password replaces the token ------------------------------------------------------


def test_changing_the_password_replaces_the_api_token(make_user):
    user = make_user("planner")
    old = key_of(user)
    client = Client()
    client.force_login(user)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    new = key_of(user)
    assert new is not None
    assert new != old
    assert token_works(old) == 401
    assert token_works(new) == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_refused_password_change_keeps_the_token(make_user):
    user = make_user("planner")
    old = key_of(user)
    client = Client()
    client.force_login(user)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert key_of(user) == old
    assert token_works(old) == 200


def test_the_admin_setting_a_users_password_replaces_her_token(admin_client, make_user):
    user = make_user("planner")
    old = key_of(user)
    response = admin_client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "set_usable_password": "true"},
    )
    assert response.status_code == 302
    assert key_of(user) not in (None, old)
    assert token_works(old) == 401


def test_the_admins_own_password_change_replaces_her_token(admin_client, admin_user):
    old = Token.objects.create(user=admin_user).key
    response = admin_client.post(
        "/admin/password_change/",
        {"old_password": "password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/password_change/done/"
    assert key_of(admin_user) not in (None, old)


def test_a_password_reset_replaces_the_token(settings, make_user):
    settings.PASSWORD_RESET_ENABLED = True
    user = make_user("planner")
    old = key_of(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    client = Client()
    form = client.get(f"/accounts/reset/{uid}/{default_token_generator.make_token(user)}/")
    assert form.status_code == 302  # to the set-password form, the token kept in the session
    response = client.post(
        form["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert key_of(user) not in (None, old)
    assert token_works(old) == 401


def test_create_user_reset_replaces_the_token(make_user):
    user = make_user("planner", username="siti")
    old = key_of(user)
    _user, token = user_create_with_roles(
        username="siti", password=NEW_PASSWORD, roles=["planner"], reset=True
    )
    assert token.key == key_of(user) != old
    assert token_works(old) == 401


# --- tokens expire and can be revoked -----------------------------------------------------------


def test_an_expired_token_is_refused_and_signing_in_issues_a_new_one(settings, make_user):
    settings.API_TOKEN_TTL_DAYS = 1
    user = make_user("planner", username="ani")
    old = key_of(user)
    assert token_works(old) == 200
    Token.objects.filter(user=user).update(created=timezone.now() - timedelta(days=1, seconds=5))

    refused = APIClient(HTTP_AUTHORIZATION=f"Token {old}").get(READ)
    assert refused.status_code == 401
    assert refused.json() == {"detail": str(TOKEN_EXPIRED)}

    signed_in = APIClient().post(TOKEN, {"username": "ani", "password": PASSWORD})
    assert signed_in.status_code == 200
    new = signed_in.json()["token"]
    assert new != old
    assert token_works(new) == 200
    assert Token.objects.filter(user=user).count() == 1


def test_tokens_never_expire_without_a_ttl(settings, make_user):
    settings.API_TOKEN_TTL_DAYS = None
    user = make_user("planner")
    Token.objects.filter(user=user).update(created=timezone.now() - timedelta(days=3650))
    assert token_works(key_of(user)) == 200


def test_a_user_revokes_her_token(make_user):
    user = make_user("vendor")
    old = key_of(user)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {old}")
    response = client.post(REVOKE)
    assert response.status_code == 204
    assert response.content == b""
    assert key_of(user) is None
    assert token_works(old) == 401
    # signing in again gives a new one
    signed_in = APIClient().post(TOKEN, {"username": user.username, "password": PASSWORD})
    assert signed_in.json()["token"] not in (None, old)


def test_revoking_needs_a_signed_in_caller(api_client, make_user):
    user = make_user("planner")
    assert api_client.post(REVOKE).status_code == 401
    assert key_of(user) is not None


# --- password reset ------------------------------------------------------------------------------


def test_password_reset_is_off_without_mail(client, make_user):
    user = make_user("planner")
    user.email = "ani@example.org"
    user.save()
    for url in (
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/done/",
    ):
        assert client.get(url).status_code == 404
    assert client.post("/accounts/password_reset/", {"email": "ani@example.org"}).status_code == 404
    assert mail.outbox == []


@pytest.fixture
def reset_on(settings, make_user):
    settings.PASSWORD_RESET_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = make_user("planner")
    get_user_model().objects.filter(pk=user.pk).update(email="ani@example.org")
    return user


def test_password_reset_answers_alike_and_mails_only_after_the_answer(rates, reset_on):
    rates()
    view = auth_views.password_reset
    answers = {}
    for address in ("ani@example.org", "nobody@example.org"):
        request = RequestFactory().post(
            "/accounts/password_reset/", {"email": address}, REMOTE_ADDR="10.1.1.1"
        )
        request._dont_enforce_csrf_checks = True
        sent = len(mail.outbox)
        response = view(request)
        # the answer is ready before anything is looked up or sent
        answers[address] = (response.status_code, response["Location"], len(mail.outbox) - sent)
        response.close()  # what the server does once the answer is sent
        answers[address] += (len(mail.outbox) - sent,)
    assert answers == {
        "ani@example.org": (302, "/accounts/password_reset/done/", 0, 1),
        "nobody@example.org": (302, "/accounts/password_reset/done/", 0, 0),
    }
    assert [m.to for m in mail.outbox] == [["ani@example.org"]]


def test_password_reset_through_the_client_sends_the_mail(rates, reset_on):
    rates()
    response = Client().post("/accounts/password_reset/", {"email": "ani@example.org"})
    assert (response.status_code, response["Location"]) == (302, "/accounts/password_reset/done/")
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_password_reset_is_throttled_per_address(rates, reset_on):
    rates(password_reset="2/hour")
    client = Client(REMOTE_ADDR="10.1.1.1")
    codes = [
        client.post("/accounts/password_reset/", {"email": "ani@example.org"}).status_code
        for _ in range(3)
    ]
    assert codes == [302, 302, 429]
    assert len(mail.outbox) == 2


def test_create_user_command_prints_the_rotated_token(make_user, capsys):
    make_user("planner", username="budi")
    old = key_of(get_user_model().objects.get(username="budi"))
    call_command("create_user", "budi", "--role", "planner", "--reset", "--password", NEW_PASSWORD)
    printed = capsys.readouterr().out.strip().split("\t")[-1]
    assert printed == key_of(get_user_model().objects.get(username="budi")) != old
