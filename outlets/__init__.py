def __getattr__(name: str):
    # django-simple-history names this package as the module of the history models of a models
    # *package* (outlets.HistoricalOutlet), so `manage.py shell` imports them from here.
    if name.startswith("Historical"):
        from django.apps import apps

        try:
            return apps.get_model("outlets", name)
        except LookupError:
            pass
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
