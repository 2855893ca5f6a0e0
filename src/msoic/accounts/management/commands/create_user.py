"""``msoic create_user USERNAME --role ROLE [--orgunit CODE] [--token]``."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from msoic.accounts.actions import UserError, do_create_user
from msoic.accounts.models import Role


class Command(BaseCommand):
    help = "Create a user with a role and org unit; optionally print an API token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument(
            "--orgunit", help="force, region or partner code (national users: omit)"
        )
        parser.add_argument(
            "--password",
            help="password (visible in the process list: prefer --password-env); "
            "a random one is printed if no password is given",
        )
        parser.add_argument(
            "--password-env", metavar="VAR", help="read the password from this environment variable"
        )
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--token", action="store_true", help="issue an API token and print it once"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        given = options["password"]
        if options["password_env"]:
            given = os.environ.get(options["password_env"])
            if not given:
                raise CommandError(
                    f"environment variable {options['password_env']} is empty or unset"
                )
        password = given or secrets.token_urlsafe(12)
        try:
            user, token = do_create_user(
                options["username"],
                role=options["role"],
                orgunit_code=options["orgunit"],
                password=password,
                email=options["email"],
                with_token=options["token"],
                actor="create_user",
            )
        except UserError as exc:
            raise CommandError(str(exc)) from exc
        where = f" for {user.orgunit.name}" if user.orgunit else ""
        self.stdout.write(f"created {user.username} ({user.role_label}{where})")
        if not given:
            self.stdout.write(f"password: {password}")
        if token:
            self.stdout.write(f"token: {token}")
