"""``msoic import_returns FILE... [--dry-run] [--user USERNAME]``.

Prints each file's outcome with every problem located (file, sheet, row, column), a
summary, and exits non-zero if any file was rejected.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from msoic.accounts.models import User
from msoic.collection.actions import do_submit_return
from msoic.collection.pipeline import build_context


class Command(BaseCommand):
    help = "Import return files (CSV or XLSX) through the collection pipeline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="check everything, store nothing"
        )
        parser.add_argument(
            "--user", help="submit as this user (their scope applies); default: system"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        actor: Any = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {options['user']!r}")
        files: list[Path] = options["files"]
        totals = {"accepted": 0, "unchanged": 0, "rejected": 0, "needs-comment": 0}
        rows = 0
        ctx = build_context(actor)
        show = not options["no_progress"] and len(files) > 1
        bar = tqdm(files, unit="file", disable=not show, file=sys.stderr)
        for path in bar:
            bar.set_postfix_str(path.name)
            try:
                data = path.read_bytes()
            except OSError as exc:
                self.stdout.write(
                    f"{path}: REJECTED\n  error: {path}: cannot be read ({exc.strerror})"
                )
                totals["rejected"] += 1
                continue
            outcome = do_submit_return(
                str(path), data, actor=actor, dry_run=options["dry_run"], context=ctx
            )
            totals[outcome.status] += 1
            if outcome.ok:
                rows += outcome.rows
            bar.clear()
            self.stdout.write("\n".join(outcome.lines()))
        bar.close()
        verb = "would be " if options["dry_run"] else ""
        self.stdout.write(
            f"summary: {len(files)} files; {totals['accepted']} {verb}accepted, {totals['unchanged']} unchanged, "
            f"{totals['rejected']} rejected, {totals['needs-comment']} need a comment on a warning; "
            f"{rows} rows {verb}accepted"
        )
        if totals["rejected"] or totals["needs-comment"]:
            raise CommandError(
                f"{totals['rejected'] + totals['needs-comment']} file(s) not accepted"
            )
