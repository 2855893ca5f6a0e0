"""``msoic disclosure_check SEQ FILE [--investigations]``: are the references in FILE
exactly those the disclosure row #SEQ of the audit log recorded?

FILE holds one reference per line (a person's pseudonymous reference, or with
``--investigations`` ``force:crime reference``); blank lines are ignored, and ``-`` reads
standard input. The row keeps a SHA-256 digest of the sorted references it disclosed
(:func:`msoic.cases.consultation.check_disclosure`), so a list can be checked even where
the row is too long to list them. Exit 0 when they match, 1 when not.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from msoic.audit.models import AuditEvent
from msoic.cases.consultation import check_disclosure


class Command(BaseCommand):
    help = "Check a list of references against a disclosure row of the audit log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("seq", type=int, help="the disclosure row's number (#SEQ)")
        parser.add_argument("file", help="one reference per line; - for standard input")
        parser.add_argument(
            "--investigations",
            action="store_true",
            help="the file lists investigations (force:crime reference), not people",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        event = AuditEvent.objects.filter(seq=options["seq"]).first()
        if event is None:
            raise CommandError(f"the audit log has no row #{options['seq']}")
        name = options["file"]
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {name}: {exc}") from exc
        kind = "investigations" if options["investigations"] else "people"
        result = check_disclosure(event, text.splitlines(), kind=kind)
        if not result.ok:
            raise CommandError(result.message)
        self.stdout.write(result.message)
