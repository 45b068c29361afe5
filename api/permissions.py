"""Role-based permissions: a view names which roles may read, write, or run each action."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.roles import has_role


class RolePermission(BasePermission):
    """Allow a signed-in user whose roles the view grants for this request.

    The view declares `read_roles` (safe methods), `write_roles` (others), and optionally
    `action_roles = {"approve": (...)}` that override both for a viewset action. An empty
    tuple means nobody; None in `read_roles` means any signed-in user.
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        roles = roles_for(request, view)
        if roles is None:
            return True
        return has_role(user, *roles)


def roles_for(request, view):
    action = getattr(view, "action", None)
    action_roles = getattr(view, "action_roles", None) or {}
    if action in action_roles:
        return action_roles[action]
    if request.method in SAFE_METHODS:
        return getattr(view, "read_roles", ())
    return getattr(view, "write_roles", ())
