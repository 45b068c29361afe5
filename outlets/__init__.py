from core.history import history_models_getattr

# `manage.py shell` imports the history models of this models package from here.
__getattr__ = history_models_getattr("outlets")
