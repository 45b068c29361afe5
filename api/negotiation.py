"""Content negotiation where an explicit `?format=` wins over the Accept header.

DRF answers 406 when `?format=geojson` meets `Accept: application/json`; a map client that asks
for a format by name should get it whatever its default Accept header says.
"""

from rest_framework.negotiation import DefaultContentNegotiation


class FormatFirstContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        fmt = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if fmt:
            for renderer in renderers:
                if renderer.format == fmt:
                    return renderer, renderer.media_type
        return super().select_renderer(request, renderers, format_suffix)
