"""Token authentication that reads the token's user and her roles in one query, built once.

DRF's `TokenAuthentication` reads the token and its user, and every view then asks for the
user's roles (`core.roles.user_roles`): two queries per request, and building them through the
ORM cost more CPU than the rest of a small request. Here one query reads the user by her token
with her role names (`core.roles.role_names`); its SQL is compiled by the ORM once per database
and process, and each request only executes it with the key. Nothing is cached between requests:
a deleted token, a deactivated user or a changed role takes effect on the very next request, in
every process. The same query reads when the token was created, so an expired token
(`API_TOKEN_TTL_DAYS`) is refused with its own message.
"""

from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import F
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from core.roles import role_names, user_roles_set
from core.services import token_expired

TOKEN_EXPIRED = _("Token expired; sign in again for a new one.")

# Stands for the token's key while the SQL is compiled; never sent to the database.
_KEY = "\x00token-key\x00"
_compiled: dict[tuple[str, str], tuple[str, tuple, int]] = {}


def _user_by_token_sql(using: str) -> tuple[str, tuple, int]:
    """(SQL, parameters, position of the key among them) of the user-by-token query."""
    vendor = connections[using].vendor
    found = _compiled.get((using, vendor))
    if found is None:
        query = (
            get_user_model()
            .objects.using(using)
            .filter(auth_token__key=_KEY)
            .annotate(role_names=role_names("pk"), token_created=F("auth_token__created"))
            .order_by()
            .query
        )
        sql, params = query.sql_with_params()
        found = _compiled[(using, vendor)] = (sql, tuple(params), params.index(_KEY))
    return found


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        users = get_user_model().objects
        sql, params, at = _user_by_token_sql(users.db)
        user = next(iter(users.raw(sql, (*params[:at], key, *params[at + 1 :]))), None)
        if user is None or not user.is_active:
            # DRF's own refusal, with its messages, for an unknown token or an inactive user.
            return super().authenticate_credentials(key)
        created = _as_datetime(user.token_created)
        if token_expired(created):
            raise exceptions.AuthenticationFailed(TOKEN_EXPIRED)
        user_roles_set(user, user.role_names)
        # The token as far as it was read.
        token = model.from_db(users.db, ["key", "user_id", "created"], [key, user.pk, created])
        token.user = user
        return (user, token)


def _as_datetime(value) -> datetime:
    """A raw query's timestamp: psycopg gives an aware datetime, SQLite the UTC text."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = parse_datetime(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
