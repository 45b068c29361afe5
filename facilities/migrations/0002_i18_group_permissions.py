"""The role groups' admin permissions on reference facilities (#18): planners keep the supply
data (add, correct, delete rows); asset officers and approvers read it, to see what the
repurposing assessment counted. The grant follows documents 0002."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = {
    "planner": ("view", "add", "change", "delete"),
    "asset_officer": ("view",),
    "asset_approver": ("view",),
}
MODEL = "referencefacility"


def _permissions(apps, actions):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="facilities",
        codename__in=[f"{action}_{MODEL}" for action in actions],
    )


def grant(apps, schema_editor):
    # The permissions are made after every migration; this one needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for role, actions in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*_permissions(apps, actions))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, actions in PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, actions))


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0001_initial"),
        ("documents", "0002_i17_group_permissions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
