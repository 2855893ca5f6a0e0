"""``msoic recount_intel [--force CODE]``.

Recount the intelligence logs' tallies (``msoic.intel.tally``) from the logs. The actions
keep them on every import, correction and review; run this after logs were loaded or
changed in the database directly (a bulk load, a restore of the logs table alone), which
the tallies cannot see.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from msoic.intel.tally import refresh_tallies
from msoic.orgunits.models import OrgUnit, OrgUnitKind


class Command(BaseCommand):
    help = "Recount the intelligence logs' tallies from the logs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", help="this force's only (its code); default: every force")

    def handle(self, *args: Any, **options: Any) -> None:
        force_ids = None
        if options["force"]:
            force = OrgUnit.objects.filter(code=options["force"], kind=OrgUnitKind.FORCE).first()
            if force is None:
                raise CommandError(f"no force with code {options['force']!r}")
            force_ids = [force.pk]
        days = refresh_tallies(force_ids)
        self.stdout.write(f"{days:,} force-days recounted from the logs")
