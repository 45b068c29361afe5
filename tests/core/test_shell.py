"""`manage.py shell` imports every model, the history models of model packages included."""

from django.apps import apps
from django.core.management.commands.shell import Command


def test_shell_namespace_holds_every_model():
    namespace = Command().get_namespace(verbosity=0)
    missing = [
        model._meta.label
        for model in apps.get_models()
        if namespace.get(model.__name__) is not model
        # Earlier apps win a name clash (Django's rule); none of ours clash with another model.
        and not any(
            other.__name__ == model.__name__ for other in apps.get_models() if other is not model
        )
    ]
    assert missing == []
