"""WSGI entry point (gunicorn config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from core.runtime import settle_after_start

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Import the URLconf, and with it every view, serializer and schema module, now rather than on
# each worker's first request (about 0.65 s that request would otherwise wait).
get_resolver().check()  # resolving the patterns imports them
settle_after_start()  # after the imports above: what they loaded lives as long as the process
