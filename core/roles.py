"""The five roles of the service. Each is a Django group, created by a migration."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

ASSET_OFFICER = "asset_officer"
ASSET_APPROVER = "asset_approver"
OUTLET_MANAGER = "outlet_manager"
PLANNER = "planner"
VENDOR = "vendor"

ROLES = (ASSET_OFFICER, ASSET_APPROVER, OUTLET_MANAGER, PLANNER, VENDOR)
# The city's own staff: everyone but vendors.
STAFF_ROLES = (ASSET_OFFICER, ASSET_APPROVER, OUTLET_MANAGER, PLANNER)


def user_roles(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    """The role names of a user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._role_cache = cached
    return cached


def has_role(user: AbstractBaseUser | AnonymousUser, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))
