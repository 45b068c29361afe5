"""`manage.py create_user NAME --role planner [--role ...] [--password ...] [--agency CODE]
[--admin]`: a user with roles (staff status follows the role), optionally an asset officer's
agency, or an administrator (superuser) for the admin."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.roles import ASSET_OFFICER, ROLES
from core.services import user_create_with_roles


class Command(BaseCommand):
    help = "Create a user in one or more role groups and print its API token."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", action="append", default=[], choices=ROLES)
        parser.add_argument("--password", default=None)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--agency", default=None, help="The asset officer's agency (its code, e.g. DISDIK)."
        )
        parser.add_argument(
            "--admin",
            action="store_true",
            help="An administrator: superuser and staff, signs in to /admin/.",
        )
        parser.add_argument(
            "--reset", action="store_true", help="Update the user if it exists already."
        )

    def handle(self, *args, **options):
        if not options["role"] and not options["admin"]:
            raise CommandError("Give at least one --role, or --admin.")
        if options["agency"] and ASSET_OFFICER not in options["role"]:
            raise CommandError("--agency is for asset officers (--role asset_officer).")
        try:
            with transaction.atomic():  # no user without her agency
                user, token = user_create_with_roles(
                    username=options["username"],
                    password=options["password"],
                    roles=options["role"],
                    email=options["email"],
                    reset=options["reset"],
                )
                if options["agency"]:
                    _join_agency(user, options["agency"])
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        if options["admin"]:
            user.is_superuser = user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
        roles = ",".join(options["role"]) or "admin"
        self.stdout.write(f"{user.username}\t{roles}\t{token.key}")


def _join_agency(user, code: str) -> None:
    # assets_app builds on core: its profile model is looked up late.
    from assets_app.models import Agency, OfficerProfile

    if not Agency.objects.filter(code=code).exists():
        raise CommandError(f"No agency has code {code!r}.")
    OfficerProfile.objects.update_or_create(user=user, defaults={"agency_id": code})
