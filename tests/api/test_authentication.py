"""Token authentication reads the token's user and her roles in one query, and caches nothing
between requests: a deleted token, a deactivated user or a changed role counts at once."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from api.authentication import TokenAuthentication
from core.roles import ASSET_OFFICER, OUTLET_MANAGER, PLANNER, ROLES, VENDOR, user_roles

pytestmark = pytest.mark.django_db

# Any signed-in user may read a district; the programme statistics are for the city's staff.
OPEN_TO_ALL = "/api/v1/districts/32.76.06/"
STAFF_ONLY = "/api/v1/stats/programme/"


def test_token_user_and_roles_in_one_query(client_as):
    client = client_as(PLANNER, ASSET_OFFICER)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(STAFF_ONLY)
    assert response.status_code == 200
    sqls = [q["sql"] for q in ctx.captured_queries]
    token_queries = [sql for sql in sqls if '"authtoken_token"' in sql]
    assert len(token_queries) == 1
    assert '"auth_group"' in token_queries[0]
    # The role names came with the token: no query of their own.
    assert [sql for sql in sqls if '"auth_group"' in sql] == token_queries


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_read_with_the_token(client_as, role):
    allowed = role != VENDOR
    assert client_as(role).get(STAFF_ONLY).status_code == (200 if allowed else 403)


def test_several_roles_each_count(make_user, client_as):
    user = make_user(VENDOR, OUTLET_MANAGER)
    client = client_as(user=user)
    assert client.get(STAFF_ONLY).status_code == 200
    assert client.get("/api/v1/applications/mine/").status_code == 403  # no vendor profile


def test_user_without_roles_is_signed_in_but_has_none(make_user, client_as):
    client = client_as(user=make_user())
    assert client.get(OPEN_TO_ALL).status_code == 200
    assert client.get(STAFF_ONLY).status_code == 403


def test_role_taken_away_counts_on_the_next_request(make_user, client_as):
    user = make_user(PLANNER)
    client = client_as(user=user)
    assert client.get(STAFF_ONLY).status_code == 200
    user.groups.remove(Group.objects.get(name=PLANNER))
    assert client.get(STAFF_ONLY).status_code == 403
    user.groups.add(Group.objects.get(name=ASSET_OFFICER))
    assert client.get(STAFF_ONLY).status_code == 200


def test_deactivated_user_is_refused_at_once(make_user, client_as):
    user = make_user(PLANNER)
    client = client_as(user=user)
    assert client.get(OPEN_TO_ALL).status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get(OPEN_TO_ALL)
    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted."}
    assert response["WWW-Authenticate"] == "Token"


def test_deleted_token_is_refused_at_once(make_user, client_as):
    user = make_user(PLANNER)
    client = client_as(user=user)
    assert client.get(OPEN_TO_ALL).status_code == 200
    Token.objects.filter(user=user).delete()
    response = client.get(OPEN_TO_ALL)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_the_user_and_token_read_are_the_stored_ones(make_user):
    user = make_user(PLANNER, VENDOR)
    user.last_login = timezone.now()
    user.save()
    token = Token.objects.get(user=user)
    signed_in, auth = TokenAuthentication().authenticate_credentials(token.key)
    stored = get_user_model().objects.get(pk=user.pk)
    fields = [f.attname for f in stored._meta.concrete_fields]
    assert {f: getattr(signed_in, f) for f in fields} == {f: getattr(stored, f) for f in fields}
    assert signed_in.last_login.tzinfo is not None
    assert user_roles(signed_in) == {PLANNER, VENDOR}
    assert (auth.key, auth.user, auth.created) == (token.key, stored, token.created)
