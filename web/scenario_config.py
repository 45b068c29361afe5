"""What the map's what-if block (`static/map/scenario.js`) is configured with: the scenario
endpoint, the asset page's address and its strings, in the active language.

`web.map_config.map_config` puts this under `scenario`. Presentation only: nothing is queried.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

SCENARIO_STRINGS = {
    "title": _("What-if: repurpose together"),
    "empty": _(
        "No asset picked yet. Add schools or health posts to see what repurposing them "
        "together would do."
    ),
    "count": _("Assets picked: {count}"),
    "add": _("Add to the what-if"),
    "remove": _("Remove from the what-if"),
    "run": _("Run the what-if"),
    "clear": _("Clear"),
    "running": _("Computing the what-if…"),
    "yes": _("Yes"),
    "no": _("No"),
    "together_yes": _("Together: every asset of the set may be repurposed."),
    "together_no": _("Together: not every asset of the set may be repurposed."),
    "verdicts_caption": _("Each asset alone (today) and together with the others"),
    "col_asset": _("Asset"),
    "col_alone": _("Alone"),
    "col_together": _("Together"),
    "col_newly_uncovered": _("Newly out of reach, together"),
    "why_together": _("Why not, together"),
    "kelurahan_caption": _("Kelurahan that change"),
    "col_kelurahan": _("Kelurahan, facility"),
    "col_covered": _("Residents covered"),
    "col_facilities": _("Facilities"),
    "covered_change": _("{before} → {after} of {population}"),
    "facilities_change": _("{before} → {after} (needed {needed})"),
    "no_kelurahan_change": _("No kelurahan changes."),
    "outside": _(
        "{facility}: {outside} residents outside every service radius afterwards, {newly} of "
        "them newly."
    ),
    "population_source": _("Population: {source}."),
    "error_auth": _("Your session has ended or your role may not run the what-if: sign in again."),
    "error_network": _("The server could not be reached."),
    "error_status": _("The server answered {status}."),
}


def scenario_map_config() -> dict:
    # A placeholder id the script replaces; reverse() keeps the page's address in urls.py only.
    asset_page = reverse("asset-page", args=[0]).replace("/0/", "/{id}/")
    return {
        "url": "/api/v1/scenarios/repurposing/",
        "asset_page": asset_page,
        "strings": SCENARIO_STRINGS,
    }
