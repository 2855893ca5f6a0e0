"""``msoic create_user USERNAME --role ROLE [--orgunit CODE] [--token [--scope SCOPE]...]``."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from msoic.accounts.actions import UserError, do_create_user
from msoic.accounts.models import DEFAULT_TOKEN_SCOPES, Role, TokenScope


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
        parser.add_argument(
            "--scope",
            action="append",
            choices=TokenScope.values,
            help="the token's scopes (repeat for several; default "
            f"{DEFAULT_TOKEN_SCOPES[0]}); tokens work on the API only",
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
        if options["scope"] and not options["token"]:
            raise CommandError("--scope is for the API token: give --token as well")
        try:
            user, token = do_create_user(
                options["username"],
                role=options["role"],
                orgunit_code=options["orgunit"],
                password=password,
                email=options["email"],
                with_token=options["token"],
                token_scopes=options["scope"] or DEFAULT_TOKEN_SCOPES,
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
