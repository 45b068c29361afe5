"""Content negotiation where an explicit `?format=` wins over the Accept header.

DRF answers 406 when `?format=geojson` meets `Accept: application/json`; a map client that asks
for a format by name should get it whatever its default Accept header says. A `?format=` the
view does not offer is a 400 naming `format` (DRF answers 404, as if the object did not exist);
an unknown format suffix on a path stays a 404, since the path names nothing.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation

UNKNOWN_FORMAT = _("Unknown format {value!r}; use one of: {allowed}.")


class FormatFirstContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        param = self.settings.URL_FORMAT_OVERRIDE
        fmt = format_suffix or request.query_params.get(param)
        if fmt:
            for renderer in renderers:
                if renderer.format == fmt:
                    return renderer, renderer.media_type
            if not format_suffix:
                allowed = ", ".join(dict.fromkeys(renderer.format for renderer in renderers))
                raise ValidationError(
                    {param: [str(UNKNOWN_FORMAT).format(value=fmt, allowed=allowed)]}
                )
        # A path's format suffix (`/districts/32.76.06.json`) that no renderer has: DRF's 404.
        return super().select_renderer(request, renderers, format_suffix)
