"""``msoic import_register FILE... --force CODE [--dry-run] [--user USERNAME]``.

Bulk import of a force's investigation register (XLSX with Investigations and People
sheets, or one CSV a kind). Each file is all or nothing; every problem is printed with
its file, sheet, row and column, and the command exits non-zero if any file was refused.
Files over ``MSOIC_MAX_UPLOAD_BYTES`` are refused as on the web; raise it in the
environment for a large migration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from msoic.accounts.models import User
from msoic.cases import access
from msoic.cases.register.importer import import_files
from msoic.orgunits.models import OrgUnit, OrgUnitKind


class Command(BaseCommand):
    help = "Import a force's investigations and people (CSV or XLSX) into the register."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--force", required=True, help="the force's code, e.g. kent")
        parser.add_argument(
            "--dry-run", action="store_true", help="check everything, store nothing"
        )
        parser.add_argument(
            "--user", help="import as this user (a user of the force); default: the command"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        force = OrgUnit.objects.filter(code=options["force"], kind=OrgUnitKind.FORCE).first()
        if force is None:
            raise CommandError(f"no force with code {options['force']!r}")
        actor: Any = "import_register command"
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {options['user']!r}")
            if not access.register_forces_writable(actor).filter(pk=force.pk).exists():
                raise CommandError(f"{actor.username} cannot write {force.code}'s register")
        files = []
        for path in options["files"]:
            try:
                files.append((str(path), path.read_bytes()))
            except OSError as exc:
                raise CommandError(f"{path}: cannot be read ({exc.strerror})") from exc
        results = import_files(files, force, actor=actor, dry_run=options["dry_run"])
        for result in results:
            self.stdout.write("\n".join(result.lines()))
        refused = [r for r in results if not r.ok]
        verb = "would be stored" if options["dry_run"] else "stored"
        self.stdout.write(
            f"summary: {len(results)} file(s), {len(results) - len(refused)} accepted; "
            f"{sum(r.investigations for r in results if r.ok)} investigations and "
            f"{sum(r.people for r in results if r.ok)} people {verb}"
        )
        if refused:
            raise CommandError(f"{len(refused)} file(s) refused; nothing from them was stored")
