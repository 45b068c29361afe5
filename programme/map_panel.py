"""What the map page's funnel panel (`static/map/funnel.js`) needs from the server: the funnel's
address and its strings, in the request's language (lazy: rendered by the page's JSON)."""

from django.utils.translation import gettext_lazy as _

from core.roles import PLANNER, PROGRAMME_STAFF, has_role

FUNNEL_URL = "/api/v1/programme/funnel/"
# Who reads the programme's lists and their funnel (`api/programme/views.py` READERS).
FUNNEL_READERS = (PROGRAMME_STAFF, PLANNER)

FUNNEL_STRINGS = {
    "title": _("Programme funnel"),
    "intro": _("People on the agency's cohort lists, and how far each has come."),
    "year": _("Year"),
    "programme": _("Programme"),
    "kecamatan": _("Kecamatan"),
    "recruited": _("Recruited"),
    "coached": _("Coached"),
    "licensed": _("Licensed"),
    "applied": _("Applied"),
    "placed": _("Placed"),
    "trading": _("Trading"),
    "target": _("Target"),
    "wub": _("WUB"),
    "women": _("Women entrepreneurs"),
    "by_kecamatan": _("By kecamatan"),
    "empty": _("No cohort list has been imported yet."),
    "csv": _("Download CSV"),
    "xlsx": _("Download XLSX"),
}


def funnel_map_config(user) -> dict | None:
    """None for a user the funnel would refuse: the page then asks nothing (no 403 in the
    browser's console for every officer who opens the map)."""
    if not has_role(user, *FUNNEL_READERS):
        return None
    return {"url": FUNNEL_URL, "strings": FUNNEL_STRINGS}
