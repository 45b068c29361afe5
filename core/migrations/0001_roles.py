"""Create the five role groups of `core.roles` (docs/ARCHITECTURE.md, "Users and roles")."""

from django.db import migrations

ROLES = ("asset_officer", "asset_approver", "outlet_manager", "planner", "vendor")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_groups, delete_groups)]
