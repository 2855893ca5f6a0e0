"""``msoic restore FILE``: restore a backup (``msoic backup --to``) into this database, which
must be empty: new, or only migrated (no user account, and no audit row but the migrations'
own). Then run
``msoic backup check FILE`` to compare it with the backup's manifest."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from msoic.runtime.backup import BackupError, check_database, open_archive, restore


class Command(BaseCommand):
    help = "Restore a backup file into this (empty) database and check it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            with open_archive(path) as archive:
                started = time.monotonic()
                connections[DEFAULT_DB_ALIAS].close()
                restore(archive, connections[DEFAULT_DB_ALIAS].settings_dict)
                seconds = time.monotonic() - started
                problems = check_database(archive.manifest)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if problems:
            raise CommandError(
                f"{path} was restored but does not match its manifest: " + "; ".join(problems[:20])
            )
        self.stdout.write(
            f"restored {path} ({archive.manifest['created_at']}, "
            f"version {archive.manifest['app_version']}) in {seconds:.1f} s; it matches its "
            "manifest. Run `msoic audit verify` to prove the audit log."
        )
