"""``msoic load_framework FILE``: store a standards framework version from a YAML file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from msoic.assurance.loader import FrameworkError, load_framework_file


class Command(BaseCommand):
    help = "Load a standards framework YAML file as a new framework version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            version, created = load_framework_file(options["file"], actor="load_framework")
        except FrameworkError as exc:
            raise CommandError(str(exc)) from exc
        count = version.standards.count()
        if created:
            self.stdout.write(f"Loaded {version} with {count} standards.")
        else:
            self.stdout.write(f"{version} is already loaded ({count} standards); nothing to do.")
