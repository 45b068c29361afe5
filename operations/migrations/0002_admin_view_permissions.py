"""The role groups' admin permissions on outlets and operations: outlet managers read every
page of their work (outlets, stalls, rounds, applications, offers, leases, vendors and the
operations records); planners read leases, bills and payments, as over the API. Viewing only:
the admin pages of these models are read-only, every write goes through the services. The
grant follows documents 0002 and facilities 0002; the reverse removes exactly these."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGER_MODELS = (
    "outlets.outlet",
    "outlets.stall",
    "outlets.allocationround",
    "outlets.application",
    "outlets.applicationchoice",
    "outlets.offer",
    "outlets.lease",
    "outlets.vendor",
    "outlets.claimverification",
    "outlets.duplicatenikattempt",
    "operations.bill",
    "operations.payment",
    "operations.reversal",
    "operations.warningletter",
    "operations.termination",
    "operations.inspection",
    "operations.renewalrequest",
    "operations.waitlistoffer",
    "operations.tariff",
    "operations.outletterms",
    "operations.leasepricing",
)
PERMISSIONS = {
    "outlet_manager": MANAGER_MODELS,
    "planner": ("outlets.lease", "operations.bill", "operations.payment"),
}


def _view_permissions(apps, labels):
    Permission = apps.get_model("auth", "Permission")
    found = []
    for label in labels:
        app_label, model = label.split(".")
        found += list(
            Permission.objects.filter(
                content_type__app_label=app_label,
                content_type__model=model,
                codename=f"view_{model}",
            )
        )
    return found


def grant(apps, schema_editor):
    # The permissions are made after every migration; this one needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for role, labels in PERMISSIONS.items():
        permissions = _view_permissions(apps, labels)
        if len(permissions) != len(labels):
            raise RuntimeError(f"view permissions missing for {role}: {labels}")
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, labels in PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*_view_permissions(apps, labels))


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0001_initial"),
        ("outlets", "0007_i19_round_fairness"),
        ("documents", "0002_i17_group_permissions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
