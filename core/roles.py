"""The six roles of the service. Each is a Django group, created by a migration."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Aggregate, CharField, OuterRef, Subquery

ASSET_OFFICER = "asset_officer"
ASSET_APPROVER = "asset_approver"
OUTLET_MANAGER = "outlet_manager"
PLANNER = "planner"
VENDOR = "vendor"
# The agency that runs the WUB programme (DKUM): cohort lists, coaching, licences (issue 20).
PROGRAMME_STAFF = "programme_staff"

ROLES = (ASSET_OFFICER, ASSET_APPROVER, OUTLET_MANAGER, PLANNER, VENDOR, PROGRAMME_STAFF)
# The city's own staff: everyone but vendors.
STAFF_ROLES = (ASSET_OFFICER, ASSET_APPROVER, OUTLET_MANAGER, PLANNER, PROGRAMME_STAFF)


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


class _JoinedNames(Aggregate):
    """Text values of a group joined with commas (no role name contains one)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def role_names(user_id: str = "user_id") -> Subquery:
    """An annotation: the role names of the user whose id is the outer query's field `user_id`
    (`"pk"` in a query of users), comma-joined, NULL without any; so the query that loads a
    user loads her roles too. Read it with `user_roles_set`."""
    through = get_user_model().groups.through
    return Subquery(
        through.objects.filter(user_id=OuterRef(user_id), group__name__in=ROLES)
        .order_by()
        .values("user_id")
        .annotate(names=_JoinedNames("group__name"))
        .values("names"),
        output_field=CharField(),
    )


def user_roles_set(user: AbstractBaseUser, names: str | None) -> None:
    """Prime the request's role cache of `user` from a `role_names` annotation."""
    user._role_cache = frozenset(names.split(",")) if names else frozenset()
