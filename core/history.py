"""django-simple-history and models packages.

For the models of a models *package* (`app/models/*.py`), simple-history names the app package
itself as the history models' module (`outlets.HistoricalOutlet`), where nothing defines them;
`manage.py shell` then cannot import them. Such an app's package sets
`__getattr__ = history_models_getattr("app_label")` so those names resolve from the registry.
"""


def history_models_getattr(app_label: str):
    def __getattr__(name: str):
        if name.startswith("Historical"):
            from django.apps import apps

            try:
                return apps.get_model(app_label, name)
            except LookupError:
                pass
        raise AttributeError(f"module {app_label!r} has no attribute {name!r}")

    return __getattr__
