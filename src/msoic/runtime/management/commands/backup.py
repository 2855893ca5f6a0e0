"""``msoic backup --to FILE``: one archive of the database and its manifest.
``msoic backup verify FILE``: restore it into a scratch database and check it there.
``msoic backup check FILE``: check this database against the backup's manifest and verify
its audit log (what ``verify`` runs on the scratch database)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from msoic.runtime.actions import do_make_backup
from msoic.runtime.backup import (
    BackupError,
    check_database,
    database_url,
    open_archive,
    restore,
    scratch_database,
)


class Command(BaseCommand):
    help = "Back up the database (with its stored files) to one file, or prove a backup."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", type=Path, help="the backup file to write")
        sub = parser.add_subparsers(dest="sub")
        verify = sub.add_parser(
            "verify", help="restore FILE into a scratch database and check it there"
        )
        verify.add_argument("file", type=Path)
        check = sub.add_parser(
            "check", help="check this database against FILE's manifest and its audit log"
        )
        check.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["sub"] == "verify":
                self.verify(options["file"])
            elif options["sub"] == "check":
                self.check_here(options["file"])
            elif options["to"] is not None:
                self.backup(options["to"])
            else:
                raise CommandError("say --to FILE, or verify FILE")
        except BackupError as exc:
            raise CommandError(str(exc)) from exc

    def backup(self, target: Path) -> None:
        started = time.monotonic()
        manifest = do_make_backup(target, actor="backup command")
        self.stdout.write(
            f"backup written to {target}: {manifest['database']['vendor']}, "
            f"{sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables, "
            f"{len(manifest['files'])} stored files, audit head "
            f"#{(manifest['audit_head'] or {}).get('seq', 0)}, "
            f"{time.monotonic() - started:.1f} s"
        )

    def check_here(self, path: Path) -> None:
        with open_archive(path) as archive:
            problems = check_database(archive.manifest)
        if problems:
            raise CommandError(f"the database does not match {path}: " + "; ".join(problems[:20]))
        call_command("audit", "verify", stdout=self.stdout)
        self.stdout.write(f"the database matches {path}'s manifest")

    def verify(self, path: Path) -> None:
        with open_archive(path) as archive:
            vendor = archive.manifest["database"]["vendor"]
            with scratch_database(vendor) as scratch:
                started = time.monotonic()
                restore(archive, scratch)
                seconds = time.monotonic() - started
                url = database_url(scratch)
                # The check runs as its own process on the scratch database, the way an
                # operator would after a real restore.
                done = subprocess.run(
                    [sys.executable, "-m", "msoic", "backup", "check", str(path)],
                    env={**os.environ, "DATABASE_URL": url},
                    capture_output=True,
                    text=True,
                    check=False,
                )
        if done.returncode != 0:
            raise CommandError(
                f"{path} restored in {seconds:.1f} s but does not check out: "
                f"{(done.stderr or done.stdout).strip()}"
            )
        self.stdout.write(done.stdout.strip())
        self.stdout.write(f"backup {path} verified: restored in {seconds:.1f} s and checked")
