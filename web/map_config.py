"""What the map page's script is configured with: API addresses, choices, colours, strings.

The page (`web.views.map`) puts `map_config()` into the HTML as a JSON object, so the strings the
script shows go through Django's i18n like the template. Presentation only: nothing is queried.
"""

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from api.pagination import MAX_LIMIT
from assets_app.models import Condition, FacilityType, Status, Use
from core.roles import ASSET_OFFICER, has_role
from programme.map_panel import funnel_map_config
from web.scenario_config import scenario_map_config

API_ROOT = "/api/v1/"

# Below this zoom the page shows counts per kecamatan instead of individual assets.
POINTS_MIN_ZOOM = 13
# The most assets the map asks for in one view: the API's largest page, defined there once.
MAX_FEATURES = MAX_LIMIT
# Kota Depok's centre, used until the boundaries have loaded (lat, lon).
DEPOK_CENTER = (-6.3950, 106.8200)

USE_COLORS = {
    "education": "#1f77b4",
    "health": "#d62728",
    "office": "#7f7f7f",
    "sports": "#2ca02c",
    "market": "#ff7f0e",
    "vacant": "#bcbd22",
    "economic": "#9467bd",
    "other": "#8c564b",
}

# Strings the script shows. `{name}` placeholders are filled in by the script.
MAP_STRINGS = {
    "loading": _("Loading…"),
    "http_error": _("the server answered {status}"),
    "network_error": _("the server could not be reached"),
    "layer_failed": _("Could not load {layer}: {reason}."),
    "layer_kecamatan": _("kecamatan boundaries"),
    "layer_kelurahan": _("kelurahan boundaries"),
    "layer_assets": _("assets"),
    "layer_outlets": _("outlets"),
    "layer_stats": _("district statistics"),
    "layer_assessment": _("the assessment"),
    "stats_fallback": _(
        "District statistics are not available; the map shows the figures of the district list."
    ),
    "showing": _("Assets in view: showing {shown} of {matched}."),
    "showing_more": _("Zoom in or filter to see the others."),
    "aggregated": _(
        "Assets: {matched}, counted by district. Zoom in to see each asset (from zoom {zoom})."
    ),
    "outlets_showing": _("Outlets in view: {shown}."),
    "assets_layer_off": _("The asset layer is off."),
    "bubble_title": _("{name}, assets: {count}"),
    "no_data": _("No data"),
    "legend_title": _("Legend"),
    "repurposable_ring": _("Repurposable (ring)"),
    "outlet_size": _("Outlet (size: vacant stalls)"),
    "asset": _("Asset"),
    "outlet": _("Outlet"),
    "district": _("District"),
    "close": _("Close"),
    "yes": _("Yes"),
    "no": _("No"),
    "unknown": _("Not assessed"),
    "field_register_code": _("Register code"),
    "field_use": _("Use"),
    "field_facility_type": _("Facility type"),
    "field_status": _("Status"),
    "field_condition": _("Condition"),
    "field_repurposable": _("Repurposable"),
    "field_kecamatan": _("Kecamatan"),
    "field_kelurahan": _("Kelurahan"),
    "field_land_area": _("Land area (m²)"),
    "field_vacant_stalls": _("Vacant stalls"),
    "field_stalls": _("Stalls"),
    "field_asset": _("On asset"),
    "field_code": _("Code"),
    "assessment": _("Repurposing assessment"),
    "assessment_loading": _("Loading the assessment…"),
    "assessment_yes": _("Repurposable: every check passed."),
    "assessment_no": _("Not repurposable: at least one check failed."),
    "check_passed": _("passed"),
    "check_failed": _("failed"),
    "history": _("Change history"),
    "history_officers": _("(asset officers only)"),
    "stalls_link": _("Stalls"),
    "programme": _("Programme progress"),
    "programme_name": _("Programme"),
    "programme_wub": _("WUB"),
    "programme_women": _("Women entrepreneurs"),
    "programme_target": _("Target"),
    "programme_registered": _("Registered"),
    "programme_placed": _("Placed"),
    "programme_vendors": _("Vendors"),
    "programme_vendors_title": _("registered / placed, by home kecamatan"),
    "programme_outlets": _("Outlets"),
    "programme_stalls": _("Stalls"),
    "programme_stalls_title": _("leased / all ({vacant} vacant, {offered} offered)"),
    "programme_occupancy": _("Occupancy"),
    "programme_vendors_summary": _(
        "Vendors: {registered} registered, {placed} placed (holding a lease); {both} in both "
        "programmes, counted in each."
    ),
    "programme_outlets_summary": _(
        "Outlets: {outlets}; stalls: {total} ({vacant} vacant, {offered} offered, {leased} "
        "leased); occupancy {occupancy}."
    ),
    "programme_without_outlet": _("No outlet yet (Perda Kota Depok 3/2024)"),
    "programme_without_kecamatan": _("Kecamatan: {count} of {total}"),
    "programme_without_kelurahan": _("Kelurahan: {count} of {total}"),
    "programme_none": _("none"),
    "field_opening_hours": _("Opening hours"),
    "figure_population": _("Population"),
    "figure_area_km2": _("Area (km²)"),
    "figure_density": _("Population per km²"),
    "figure_assets_use": _("Assets in use: {use}"),
    "figure_assets_status": _("Assets with status: {status}"),
    "figure_facility_count": _("{facility}: facilities"),
    "figure_facility_needed": _("{facility}: facilities needed"),
    "figure_facility_covered_share": _("{facility}: share of residents covered"),
    # Phone drawer, session, readable pages, district summary (issue 18).
    "session_expired": _("Your session has ended."),
    "sign_in_again": _("Sign in again"),
    "asset_page": _("Open the asset's page"),
    "history_on_page": _("Change history (on the asset's page)"),
    "outlet_page": _("Open the outlet's page (stalls)"),
    "summary_population": _("{population} residents ({year}) on {area} km², {density} per km²."),
    "summary_population_no_year": _("{population} residents on {area} km², {density} per km²."),
    "summary_assets": _("{assets} city assets, {repurposable} of them repurposable."),
    "summary_kelurahan": _("A kelurahan of Kecamatan {kecamatan}."),
    "all_figures": _("All figures"),
    "summary_facilities": _("Facilities the repurposing rules count"),
    "col_facility": _("Facility"),
    "col_count": _("Serving"),
    "col_needed": _("Needed"),
    "col_covered": _("Residents within reach"),
}

# Labels of the figures `stats/districts/` carries (nested ones as dotted paths); figures by use,
# status and facility type are labelled from MAP_STRINGS, any other by its field name.
FIGURE_LABELS = {
    "population": _("Population"),
    "area_km2": _("Area (km²)"),
    "assets.total": _("Assets"),
    "land_area_m2": _("Land area of assets (m²)"),
    "repurposable.count": _("Repurposable assets"),
    "repurposable.land_area_m2": _("Land area of repurposable assets (m²)"),
}


# The assessment's rules by name (the API keeps the English names; people read these).
RULE_LABELS = {
    "status": _("Status qualifies"),
    "condition": _("Condition"),
    "land_area": _("Land area"),
    "coverage": _("Residents stay within reach of the service"),
    "capacity": _("Kecamatan keeps enough facilities"),
}


def map_config(request: HttpRequest) -> dict:
    """What the script needs: API addresses, choices, colours, strings, tiles."""
    return {
        "urls": {
            "districts": f"{API_ROOT}districts/",
            "assets": f"{API_ROOT}assets/",
            "assessment": f"{API_ROOT}assets/{{id}}/assessment/",
            "history": f"{API_ROOT}assets/{{id}}/history/",
            "outlets": f"{API_ROOT}outlets/",
            "stalls": f"{API_ROOT}outlets/{{id}}/stalls/",
            # Readable pages for people (the API's own answers are JSON): `{id}` is filled in.
            "asset_page": reverse("asset-page", args=[0]).replace("/0/", "/{id}/"),
            "outlet_page": reverse("outlet-page", args=[0]).replace("/0/", "/{id}/"),
            # Signing in again comes back to the map (`?next=`).
            "login": f"{resolve_url(settings.LOGIN_URL)}?next={reverse('map')}",
            "stats_districts": f"{API_ROOT}stats/districts/",
            "programme": f"{API_ROOT}stats/programme/",
        },
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
        "center": list(DEPOK_CENTER),
        "points_min_zoom": POINTS_MIN_ZOOM,
        "limit": MAX_FEATURES,
        "use_colors": USE_COLORS,
        "use_labels": dict(Use.choices),
        "status_labels": dict(Status.choices),
        "facility_labels": dict(FacilityType.choices),
        "condition_labels": dict(Condition.choices),
        "rule_labels": RULE_LABELS,
        "figure_labels": FIGURE_LABELS,
        "can_view_history": has_role(request.user, ASSET_OFFICER),
        "strings": MAP_STRINGS,
        "funnel": funnel_map_config(request.user),  # the programme funnel panel (issue 20)
        "scenario": scenario_map_config(),  # the what-if block (static/map/scenario.js)
    }
