"""A changed password replaces the API token on every path, `manage.py changepassword` too."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import update_last_login
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Another-Pass-456"
PASSWORD = "Pass-word-123"  # make_user's


def _answer_prompts(monkeypatch, answer: str) -> None:
    # The terminal is the one part that does not run here: changepassword asks it twice.
    monkeypatch.setattr("getpass.getpass", lambda prompt="": answer)


def test_changepassword_replaces_the_api_token(make_user, monkeypatch):
    # given: a user signed in to the API
    user = make_user("planner", username="ani")
    old = Token.objects.get(user=user).key
    assert APIClient(HTTP_AUTHORIZATION=f"Token {old}").get("/api/v1/districts/").status_code == (
        200
    )
    _answer_prompts(monkeypatch, NEW_PASSWORD)
    # when
    out = StringIO()
    call_command("changepassword", "ani", stdout=out)
    # then: the new password works, the old token does not, a new one exists
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert "Password changed successfully" in out.getvalue()
    new = Token.objects.get(user=user).key
    assert new != old
    assert APIClient(HTTP_AUTHORIZATION=f"Token {old}").get("/api/v1/districts/").status_code == (
        401
    )
    assert APIClient(HTTP_AUTHORIZATION=f"Token {new}").get("/api/v1/districts/").status_code == (
        200
    )


def test_a_refused_changepassword_keeps_the_token(make_user, monkeypatch):
    user = make_user("planner", username="ani")
    old = Token.objects.get(user=user).key
    _answer_prompts(monkeypatch, "123")  # too short and numeric: refused three times
    with pytest.raises(CommandError, match="Aborting password change for user 'ani'"):
        call_command("changepassword", "ani", stdout=StringIO(), stderr=StringIO())
    assert Token.objects.get(user=user).key == old


def test_set_password_in_a_shell_replaces_the_token(make_user):
    user = make_user("planner")
    old = Token.objects.get(user=user).key
    user.set_password(NEW_PASSWORD)
    user.save()
    assert Token.objects.get(user=user).key != old


def test_saves_that_keep_the_password_keep_the_token(make_user):
    # given: a user with a token
    user = make_user("planner")
    old = Token.objects.get(user=user).key
    # when: sign-in stamps last_login, and an edit saves every field but the same hash
    update_last_login(None, user)
    user = get_user_model().objects.get(pk=user.pk)
    user.email = "ani@example.test"
    user.save()
    # then
    assert list(Token.objects.filter(user=user).values_list("key", flat=True)) == [old]


def test_a_user_without_a_token_gets_none_from_a_password_change(make_user):
    user = make_user("planner")
    Token.objects.filter(user=user).delete()
    user.set_password(NEW_PASSWORD)
    user.save()
    assert Token.objects.filter(user=user).count() == 0


def test_a_sign_in_that_rehashes_the_same_password_keeps_the_token(settings, make_user):
    # given: a password stored under the test hasher, then a stronger hasher made the default
    user = make_user("planner", username="ani")
    old = Token.objects.get(user=user).key
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    stored = get_user_model().objects.get(pk=user.pk).password
    # when: she signs in with her password (the hash is upgraded on the way)
    response = APIClient().post("/api/v1/auth/token/", {"username": "ani", "password": PASSWORD})
    # then: the hash changed, the token did not
    assert response.status_code == 200
    assert response.json()["token"] == old
    assert get_user_model().objects.get(pk=user.pk).password.startswith("pbkdf2_sha256$")
    assert stored.startswith("md5$")
    assert list(Token.objects.filter(user=user).values_list("key", flat=True)) == [old]
