"""``msoic tokens issue USER --scope SCOPE [--scope SCOPE]``, ``msoic tokens list [--user NAME]``
and ``msoic tokens revoke PREFIX --reason TEXT``. Tokens authenticate the API (``/api/``)
only, with the scopes they are issued with."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from msoic.accounts.actions import UserError, do_issue_token, do_revoke_token
from msoic.accounts.models import DEFAULT_TOKEN_SCOPES, ApiToken, TokenScope, User


class Command(BaseCommand):
    help = "Issue, list or revoke API tokens (only a token's first characters are shown again)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="sub", required=True)
        issue = sub.add_parser("issue", help="issue a token for a user and print it once")
        issue.add_argument("user")
        issue.add_argument(
            "--scope",
            action="append",
            choices=TokenScope.values,
            help=f"what the token may do (repeat for several; default {DEFAULT_TOKEN_SCOPES[0]})",
        )
        listing = sub.add_parser("list", help="tokens with their user, use and expiry")
        listing.add_argument("--user", help="only this user's tokens")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix", help="the 8 characters after 'msoic_'")
        revoke.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "created_at")
        if options["sub"] == "issue":
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']!r}")
            scopes = options["scope"] or list(DEFAULT_TOKEN_SCOPES)
            try:
                token, raw = do_issue_token(user, scopes=scopes, actor="tokens")
            except UserError as exc:
                raise CommandError(str(exc)) from exc
            expires = token.expires_at.date().isoformat() if token.expires_at else "never"
            self.stdout.write(
                f"token for {user.username} ({' '.join(token.scope_list)}; API only; "
                f"expires {expires}): {raw}"
            )
            return
        if options["sub"] == "list":
            if options["user"]:
                tokens = tokens.filter(user__username=options["user"])
            for t in tokens:
                state = "revoked" if t.revoked else ("usable" if t.is_usable() else "expired")
                expires = t.expires_at.date().isoformat() if t.expires_at else "never"
                used = t.last_used_at.isoformat(timespec="minutes") if t.last_used_at else "never"
                self.stdout.write(
                    f"{t.prefix}  {t.user.username:<24} {state:<8} expires {expires}  "
                    f"last used {used}  scopes {' '.join(t.scope_list)}"
                )
            return
        matches = list(tokens.filter(prefix=options["prefix"]))
        if len(matches) != 1:
            raise CommandError(f"{len(matches)} tokens have the prefix {options['prefix']!r}")
        try:
            do_revoke_token(matches[0], actor="tokens", reason=options["reason"])
        except UserError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"revoked {matches[0].prefix} of {matches[0].user.username}")
