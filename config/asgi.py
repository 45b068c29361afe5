"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from core.runtime import settle_after_start

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()
settle_after_start()
