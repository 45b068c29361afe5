"""Who may read the API's documentation: the OpenAPI schema, Swagger UI and DRF's browsable API.

Everyone while `API_DOCS_PUBLIC` is on (the default in development); otherwise only signed-in
staff: a user with one of the city's staff roles or with admin access. Others get 401 (not
signed in) or 403 on `schema/` and `docs/`, and JSON instead of the browsable API's pages: the
schema maps every operation and parameter for whoever would probe the service.
"""

from django.conf import settings
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BrowsableAPIRenderer

from api.negotiation import FormatFirstContentNegotiation
from core.roles import STAFF_ROLES, has_role


def docs_allowed(user) -> bool:
    if settings.API_DOCS_PUBLIC:
        return True
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_staff or has_role(user, *STAFF_ROLES))


class DocsPermission(BasePermission):
    def has_permission(self, request, view):
        return docs_allowed(request.user)


class DocsAwareContentNegotiation(FormatFirstContentNegotiation):
    """The browsable API only for those who may read the docs: anyone else asking for it (a
    browser's Accept header, `?format=api`) gets the view's first other renderer (JSON)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer, media_type = super().select_renderer(request, renderers, format_suffix)
        if isinstance(renderer, BrowsableAPIRenderer) and not docs_allowed(request.user):
            others = [r for r in renderers if not isinstance(r, BrowsableAPIRenderer)]
            if others:
                return others[0], others[0].media_type
        return renderer, media_type
