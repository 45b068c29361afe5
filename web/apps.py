from django.apps import AppConfig


class WebConfig(AppConfig):
    """Server-rendered pages for people (the map, sign-in and password pages), beside `api/`."""

    name = "web"
