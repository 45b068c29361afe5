"""`manage.py seed_demo_users`: one demo user per role (password `demo-pass-2026`), tokens printed.

For `make run` only: these are well-known credentials, refused when DEBUG is off.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.roles import ROLES
from core.services import user_create_with_roles

User = get_user_model()
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - demo only, refused without DEBUG


class Command(BaseCommand):
    help = "Create one demo user per role (DEBUG only) and print their API tokens."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo users are for development only (DEBUG is off).")
        from outlets.demo import DEMO_VENDOR, demo_portal, demo_vendor_profile

        # The demo vendor registers like any vendor, so her token works on vendors/me/.
        demo_vendor_profile(DEMO_PASSWORD)
        self.stdout.write(f"Demo users (password {DEMO_PASSWORD}):")
        for role in ROLES:
            username = f"demo_{role}"
            user, token = user_create_with_roles(
                username=username, password=DEMO_PASSWORD, roles=[role], reset=True
            )
            self.stdout.write(f"  {role:<15} {username:<22} Authorization: Token {token.key}")
        # The asset officers' agencies, and the managing agency's reviewer (#17).
        from assets_app.demo import DEMO_REVIEWER, demo_officers_join

        demo_officers_join(password=DEMO_PASSWORD)
        self.stdout.write(f"  {'(reviewer)':<15} {DEMO_REVIEWER:<22} asset_officer of BKD")
        manager = User.objects.get(username="demo_outlet_manager")
        round_ = demo_portal(manager=manager, password=DEMO_PASSWORD)
        self.stdout.write(
            f"Vendor portal (synthetic): round {round_.pk} open over {round_.outlets.count()} "
            f"outlets; sign in at /accounts/login/ as {DEMO_VENDOR}, or open / and pick Sign in."
        )
