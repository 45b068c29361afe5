"""The admin's geometry field: the GeoJSON in a textarea, with a small Leaflet map beside it.

No GDAL and no GeoDjango widget: the map is Leaflet as django-leaflet ships it (no CDN) and a
small ES module (`static/admin_geo/geometry.js`, no inline script, so the Content-Security-Policy
holds). The officer drags the point, clicks the map to move it, or drags a polygon's vertices;
the module writes the GeoJSON back into the textarea, which stays the field that is posted and
the way to edit without JavaScript. The form validates it through the same service as the API.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

MAP_LABEL = _("Map of the asset's geometry: drag the point or a vertex, or click to move the point")


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
        }
        return context
