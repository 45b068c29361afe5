"""The admin's geometry field: the GeoJSON in a textarea, with a small Leaflet map beside it.

No GDAL and no GeoDjango widget: the map is Leaflet as django-leaflet ships it (no CDN) and a
small ES module (`static/admin_geo/geometry.js`, no inline script, so the Content-Security-Policy
holds). A toolbar of buttons above the map switches to a point (a click moves it) or draws a
polygon corner by corner; a polygon's corners drag, a midpoint handle adds one, "Remove corner"
or Delete removes the selected one. From the keyboard the map pans under a crosshair, "Place at
centre" puts the point (or the next corner) there, and the arrow keys move a focused point or
corner. The module writes the GeoJSON back into the textarea, which
stays the field that is posted and the way to edit without JavaScript. The form validates it
through the same service as the API.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

MAP_LABEL = _("Map of the asset's geometry: drag the point or a vertex, or click to move the point")
# The module's texts, as data-msg-<key> attributes of the widget (translated here, not in JS).
MAP_MESSAGES = {
    "point": _(
        "Point: click the map, drag the marker or move it with the arrow keys; "
        "Place at centre puts it under the crosshair."
    ),
    "centred": _("The polygon became a point at its centre."),
    "draw": _(
        "Drawing: click the map to add corners, or move the map under the crosshair (arrow "
        "keys on the map) and press Add corner at centre; then Finish or the first corner. "
        "Escape cancels."
    ),
    "few": _("A polygon needs at least 3 corners."),
    "drawn": _("Polygon with %(count)s corners drawn."),
    "cancelled": _("Drawing cancelled; the geometry is unchanged."),
    "close": _("First corner: click to close the polygon"),
    "corner": _("Corner %(n)s of %(count)s: drag to move, Delete to remove"),
    "midpoint": _("Drag to add a corner here (or press Enter)"),
    "added": _("Corner added."),
    "removed": _("Corner removed."),
    "keep": _("A polygon keeps at least 3 corners."),
    "select": _("Select a corner first (click it or Tab to it)."),
    # Keyboard placement and movement (keys are one lowercase word: data-msg-<key>).
    "marker": _("The point: drag it or move it with the arrow keys (Shift for larger steps)"),
    "place": _("Place at centre"),
    "addhere": _("Add corner at centre"),
    "placed": _("Point placed at the centre of the map."),
    "numbered": _("Corner %(n)s added."),
    "here": _("There is a corner here already: move the map first (arrow keys on the map)."),
    "placefirst": _(
        "A polygon is being edited: choose Point to make it a point, or Draw polygon to draw "
        "a new one."
    ),
}


class GeometryMapWidget(forms.Textarea):
    template_name = "admin_geo/geometry_widget.html"

    def __init__(self, attrs=None):
        super().__init__(attrs={"rows": 6, "cols": 60, "class": "geometry-json", **(attrs or {})})

    class Media:
        css = {"all": ["leaflet/leaflet.css", "admin_geo/geometry.css"]}
        js = [
            "leaflet/leaflet.js",
            forms.Script("admin_geo/geometry.js", type="module"),
        ]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["map"] = {
            "label": MAP_LABEL,
            "tile_url": getattr(settings, "MAP_TILE_URL", ""),
            "tile_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
            "messages": MAP_MESSAGES,
        }
        return context
