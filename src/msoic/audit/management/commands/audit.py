"""``msoic audit verify``: check the hash chain; ``msoic audit tail``: show the newest rows."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from msoic.audit.log import verify_chain
from msoic.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Verify or show the audit log."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="sub", required=True)
        sub.add_parser(
            "verify", help="check every row's hash and link; exit 1 at the first bad row"
        )
        tail = sub.add_parser("tail", help="print the newest rows")
        tail.add_argument("-n", type=int, default=20)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["sub"] == "verify":
            result = verify_chain()
            if not result.ok:
                raise CommandError(
                    f"audit log tampered: first bad row is #{result.bad_seq} ({result.reason}); "
                    f"{result.checked} rows before it are intact"
                )
            self.stdout.write(f"audit log intact: {result.checked} rows verified")
        else:
            for ev in AuditEvent.objects.order_by("-seq")[: options["n"]]:
                self.stdout.write(
                    f"#{ev.seq} {ev.at.isoformat()} {ev.actor_label} {ev.action} "
                    f"{ev.object_type}:{ev.object_id} {ev.orgunit_code} {ev.justification}"
                )
