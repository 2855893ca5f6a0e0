"""``msoic escalate_referrals [--now ISO]``: escalate to the unit every referral not
acknowledged within 48 hours of its submission (each once)."""

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from msoic.referrals.actions import do_escalate_overdue_referrals


class Command(BaseCommand):
    help = "Escalate referrals not acknowledged within 48 hours to the national unit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            help="the time to escalate as of (ISO date and time with its offset; default: now)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now {options['now']!r}: {exc}") from exc
            if timezone.is_naive(now):
                raise CommandError("--now needs a UTC offset, as 2024-03-01T09:00+00:00")
        escalated = do_escalate_overdue_referrals(now=now)
        for r in escalated:
            self.stdout.write(
                f"{r.reference} ({r.force.name}, submitted {r.submitted_at:%Y-%m-%d %H:%M}): "
                "escalated to the unit"
            )
        self.stdout.write(
            f"{len(escalated)} referral{'s' if len(escalated) != 1 else ''} escalated"
        )
