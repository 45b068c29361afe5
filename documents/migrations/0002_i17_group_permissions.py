"""The role groups' admin permissions (#17), and staff status for users already in a staff
role: officers register and edit assets (their agency's, checked in the admin itself) and
attach documents; everyone on the city's staff reads the register, agencies, reclassifications
and documents; administrators (superusers) do the rest."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ = ("view",)
PERMISSIONS = {
    "asset_officer": {
        "assets_app.asset": ("view", "add", "change"),
        "assets_app.agency": READ,
        "assets_app.reclassification": READ,
        "documents.document": READ,
    },
    "asset_approver": {
        "assets_app.asset": READ,
        "assets_app.agency": READ,
        "assets_app.reclassification": READ,
        "documents.document": READ,
    },
    "outlet_manager": {"assets_app.asset": READ, "assets_app.agency": READ},
    "planner": {
        "assets_app.asset": READ,
        "assets_app.agency": READ,
        "assets_app.reclassification": READ,
    },
}
STAFF_ROLES = ("asset_officer", "asset_approver", "outlet_manager", "planner")


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, models in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for label, actions in models.items():
            app_label, model = label.split(".")
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label,
                    codename__in=[f"{action}_{model}" for action in actions],
                )
            )
    User = apps.get_model("auth", "User")
    User.objects.filter(groups__name__in=STAFF_ROLES).update(is_staff=True)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, models in PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is None:
            continue
        for label in models:
            app_label, model = label.split(".")
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__endswith=f"_{model}"
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_i17_documents"),
        ("assets_app", "0009_i17_seed_agencies"),
        ("core", "0001_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
