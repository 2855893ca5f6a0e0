"""``msoic mfa reset USER --by ADMIN --reason TEXT`` and ``msoic mfa status [USER]``.

A user who lost their phone and recovery codes is reset by an administrator: their second
factors are removed and their sessions ended (audited); they enrol again at the next login.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from msoic.accounts.actions import UserError, do_reset_mfa
from msoic.accounts.mfa import has_second_factor, mfa_required
from msoic.accounts.models import RecoveryCode, Role, User


class Command(BaseCommand):
    help = "Reset a user's second factor (administrators), or list who has one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="sub", required=True)
        reset = sub.add_parser("reset", help="remove a user's authenticator and recovery codes")
        reset.add_argument("user")
        reset.add_argument("--by", required=True, help="the administrator doing it (username)")
        reset.add_argument("--reason", required=True, help="why (kept in the audit log)")
        status = sub.add_parser("status", help="who has a second factor, who still needs one")
        status.add_argument("user", nargs="?")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["sub"] == "status":
            users = User.objects.filter(is_active=True).order_by("username")
            if options["user"]:
                users = users.filter(username=options["user"])
            for user in users:
                enrolled = has_second_factor(user)
                codes = RecoveryCode.objects.filter(device__user=user).count()
                state = (
                    f"enrolled, {codes} recovery codes left"
                    if enrolled
                    else ("NOT ENROLLED (required)" if mfa_required(user) else "not enrolled")
                )
                self.stdout.write(f"{user.username:<24} {user.role_label:<22} {state}")
            return
        target = User.objects.filter(username=options["user"]).first()
        if target is None:
            raise CommandError(f"no user {options['user']!r}")
        admin = User.objects.filter(username=options["by"], is_active=True).first()
        if admin is None or not (admin.role == Role.ADMIN or admin.is_superuser):
            raise CommandError(
                f"{options['by']!r} is not an active administrator: only administrators reset "
                "second factors"
            )
        try:
            removed = do_reset_mfa(target, actor=admin, reason=options["reason"])
        except UserError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"reset {target.username}: {removed} device(s) removed, sessions ended; "
            "they set up their authenticator app again at their next login"
        )
