"""User and role writes."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from core.roles import ROLES

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
    if user is None:
        user = User(username=username, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    token, _created = Token.objects.get_or_create(user=user)
    return user, token
