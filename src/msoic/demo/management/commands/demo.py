"""``msoic demo``: load the synthetic, calibrated demo history and one user per role.

Idempotent: a second run stores nothing new and reports every file unchanged. Exits
non-zero if a file is refused or if the engine does not give back the calibrated figures
(for instance because other returns were loaded into the same database).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from msoic.demo.build import CAPABILITIES, DemoError, describe, run_demo
from msoic.demo.config import DemoConfigError, load_config
from msoic.demo.generator import GenerationError


class Command(BaseCommand):
    help = (
        "Load demo data: April 2021 to September 2024 returns for all 43 forces, calibrated to "
        "the annual report, through the collection pipeline; and one demo user per role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--files", action="store_true", help="print each file's outcome")
        parser.add_argument(
            "--only",
            action="append",
            choices=CAPABILITIES,
            help="build only these capabilities' demo data (repeatable; returns always)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            config = load_config()
            progress = self.stdout.write if options["files"] or options["verbosity"] > 1 else None
            stage = self._stage if options["verbosity"] > 0 else None
            report = run_demo(
                config=config,
                progress=progress,
                only=set(options["only"] or []) or None,
                stage=stage,
            )
        except (DemoConfigError, GenerationError, DemoError) as exc:
            raise CommandError(f"demo data not loaded: {exc}") from exc
        if not options["files"] and options["verbosity"] > 0:
            self.stdout.write("")
        for line in describe(report, config):
            self.stdout.write(line)
        if not report.calibrated:
            raise CommandError(
                "the engine does not reproduce the calibrated figures: the database holds other "
                "returns for these months (start from an empty database)"
            )

    def _stage(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()
