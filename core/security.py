"""Security headers: a Content-Security-Policy on every HTML page, a Permissions-Policy on every
response.

Django 5.2 has no CSP of its own. The pages load nothing from elsewhere and carry no inline
script or style (the map's script sets styles through the DOM, which a CSP allows; Swagger UI's
set-up script is a file of its own, `SpectacularSwaggerSplitView`), so the policy can be strict:
only the site's own files, plus the base-map tile server when `MAP_TILE_URL` names one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings

CSP_HEADER = "Content-Security-Policy"
CSP_DIRECTIVES = (
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data:"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("frame-ancestors", "'none'"),
    ("form-action", "'self'"),
)
# Browser features no page here uses (the map shows places, it never asks where the user is).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)
_PLACEHOLDER_LABEL = re.compile(r"^\{[^}]*\}$")


@lru_cache(maxsize=8)
def tile_source(tile_url: str) -> str:
    """The CSP source allowing a Leaflet tile URL: `https://{s}.tile.osm.org/{z}/{x}/{y}.png`
    gives `https://*.tile.osm.org`; a placeholder elsewhere in the host, only its scheme."""
    if not tile_url:
        return ""
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    labels = parts.netloc.split(".")
    if _PLACEHOLDER_LABEL.match(labels[0]):
        labels[0] = "*"
    host = ".".join(labels)
    if "{" in host or "}" in host:
        return f"{parts.scheme}:"
    return f"{parts.scheme}://{host}"


def content_security_policy() -> str:
    tiles = tile_source(settings.MAP_TILE_URL)
    return "; ".join(
        f"{name} {value} {tiles}" if name == "img-src" and tiles else f"{name} {value}"
        for name, value in CSP_DIRECTIVES
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if response.get("Content-Type", "").startswith("text/html"):
            response.headers.setdefault(CSP_HEADER, content_security_policy())
        return response
