"""User and role writes, and the API token's life: issued at sign-in, replaced when the
password changes or the token expires, deleted when its holder revokes it."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from core.roles import ROLES, STAFF_ROLES

User = get_user_model()

UNKNOWN_ROLES = _("Unknown role(s): %(roles)s.")
USERNAME_EXISTS = _("A user with that username already exists.")


@transaction.atomic
def user_create_with_roles(
    *, username: str, password: str | None, roles: list[str], email: str = "", reset: bool = False
) -> tuple[User, Token]:
    """Create (or with `reset`, update) a user in the given role groups and return its token."""
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ValidationError({"role": [UNKNOWN_ROLES % {"roles": ", ".join(unknown)}]})
    user = User.objects.filter(username=username).first()
    if user is not None and not reset:
        raise ValidationError({"username": [str(USERNAME_EXISTS)]})
    existing = user is not None
    if user is None:
        user = User(username=username, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    # Staff status follows the role (#17): the city's staff sign in to the admin, vendors not.
    user.is_staff = user.is_superuser or bool(set(roles) & set(STAFF_ROLES))
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    if existing:
        # A reset replaces the password: the token issued under the old one goes with it.
        return user, token_rotate(user=user)
    token, _created = Token.objects.get_or_create(user=user)
    return user, token


@transaction.atomic
def user_set_password(*, user: User, password: str | None) -> User:
    """Set (None: disable) the user's password and replace her API token.

    Whoever changes or resets a password may be shutting out someone who learnt the old one;
    a token issued under it would let them in still. The sign-in pages' change and reset forms
    and the admin's (`core.forms`) call this; the token is replaced by the user's save
    (`core.passwords`), which also covers `manage.py changepassword` and any other path.
    """
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


def token_expired(created: datetime) -> bool:
    """Whether a token created then is past `API_TOKEN_TTL_DAYS` (never, when that is unset)."""
    ttl_days = settings.API_TOKEN_TTL_DAYS
    if ttl_days is None:
        return False
    return created <= timezone.now() - timedelta(days=ttl_days)


@transaction.atomic
def token_rotate(*, user: User) -> Token:
    """A new token for the user; the old one stops working at once."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def token_for_sign_in(*, user: User) -> Token:
    """The user's token, a new one if she had none or hers has expired."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is None:
        # get_or_create: two first sign-ins at once both end with the one token.
        return Token.objects.get_or_create(user=user)[0]
    if token_expired(token.created):
        return token_rotate(user=user)
    return token


@transaction.atomic
def token_revoke(*, user: User) -> int:
    """Delete the user's token (signing in again issues a new one); how many were deleted."""
    deleted, _by_model = Token.objects.filter(user=user).delete()
    return deleted
