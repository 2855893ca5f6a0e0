"""``msoic import_intel FILE... --force CODE [--dry-run] [--user USERNAME]``.

Import a force's extracts of intelligence logs (CSV or XLSX). Each file is all or nothing;
every problem is printed with its file, sheet, row and column, and the command exits
non-zero if any file was refused. Re-sending a log updates it and keeps the version it
replaced.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from msoic.accounts.models import User
from msoic.intel import access
from msoic.intel.actions import do_import_extract
from msoic.orgunits.models import OrgUnit, OrgUnitKind


class Command(BaseCommand):
    help = "Import a force's extracts of intelligence logs (CSV or XLSX)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--force", required=True, help="the force's code, e.g. kent")
        parser.add_argument(
            "--dry-run", action="store_true", help="check everything, store nothing"
        )
        parser.add_argument(
            "--user", help="import as this user (of the force, or the unit); default: the command"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        force = OrgUnit.objects.filter(code=options["force"], kind=OrgUnitKind.FORCE).first()
        if force is None:
            raise CommandError(f"no force with code {options['force']!r}")
        actor: Any = "import_intel command"
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {options['user']!r}")
            if not access.can_send_for(actor, force):
                raise CommandError(f"{actor.username} cannot send {force.code}'s logs")
        refused = 0
        for path in options["files"]:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"{path}: cannot be read ({exc.strerror})") from exc
            outcome = do_import_extract(
                force, str(path), data, actor=actor, dry_run=options["dry_run"]
            )
            self.stdout.write("\n".join(outcome.lines()))
            refused += not outcome.ok
        if refused:
            raise CommandError(f"{refused} file(s) refused; nothing from them was stored")
