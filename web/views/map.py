"""The planners' map page (`/map/`): presentation only.

The page is a Leaflet map served from the project's static files; everything it shows comes from
the public API (`districts/`, `assets/`, `outlets/`, `stats/...`) with the session cookie, so the
page applies the same permissions and filters as any client. This view renders the shell: the
filter controls and the script's configuration (`web.map_config`).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from assets_app.models import Status, Use
from core.roles import STAFF_ROLES, has_role
from web.map_config import USE_COLORS, map_config

MAP_FORBIDDEN = _("The map is for the city's staff.")


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, *STAFF_ROLES):
        raise PermissionDenied(MAP_FORBIDDEN)
    context = {
        "map_config": map_config(request),
        "uses": [(value, label, USE_COLORS[value]) for value, label in Use.choices],
        "statuses": Status.choices,
    }
    return render(request, "map/map.html", context)
