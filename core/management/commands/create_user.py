"""`manage.py create_user NAME --role planner [--role ...] [--password ...]`: a user with roles."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.roles import ROLES
from core.services import user_create_with_roles


class Command(BaseCommand):
    help = "Create a user in one or more role groups and print its API token."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", action="append", required=True, choices=ROLES)
        parser.add_argument("--password", default=None)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--reset", action="store_true", help="Update the user if it exists already."
        )

    def handle(self, *args, **options):
        try:
            user, token = user_create_with_roles(
                username=options["username"],
                password=options["password"],
                roles=options["role"],
                email=options["email"],
                reset=options["reset"],
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        self.stdout.write(f"{user.username}\t{','.join(options['role'])}\t{token.key}")
