"""``msoic load_catalogue``: load the YAML definitions as a new catalogue revision."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from msoic.catalogue.loader import CatalogueError, load_catalogue


class Command(BaseCommand):
    help = "Load datasets, metrics, breakdowns and rules from the catalogue's YAML files."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            revision, created = load_catalogue(actor="load_catalogue")
        except CatalogueError as exc:
            raise CommandError(str(exc)) from exc
        state = "loaded as new revision" if created else "unchanged, still revision"
        self.stdout.write(f"catalogue {state} {revision.pk} ({revision.sha256[:12]})")
