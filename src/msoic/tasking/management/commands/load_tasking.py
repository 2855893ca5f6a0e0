"""``msoic load_tasking FILE``: store the new versions of a CCA tasking from a YAML file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from msoic.tasking.loader import TaskingError, load_tasking_file


class Command(BaseCommand):
    help = "Load a CCA tasking YAML file: store the versions not yet loaded."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            tasking, created = load_tasking_file(options["file"], actor="load_tasking")
        except TaskingError as exc:
            raise CommandError(str(exc)) from exc
        versions = tasking.versions.count()
        measures = tasking.measures.count()
        if created:
            self.stdout.write(
                f"Loaded {created} new version(s) of {tasking.code}: now {versions} version(s), "
                f"{measures} measures."
            )
        else:
            self.stdout.write(
                f"{tasking.code} is up to date ({versions} version(s)); nothing to do."
            )
