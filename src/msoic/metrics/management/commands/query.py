"""``msoic query METRIC --orgunit CODE --period PERIOD [--by ...] [--compare previous-year]``."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from msoic.metrics.engine import QueryError, query
from msoic.metrics.periods import PeriodError
from msoic.orgunits.models import OrgUnit


class Command(BaseCommand):
    help = "Ask the metric engine for a metric's value, as JSON or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("metric")
        parser.add_argument("--orgunit", default="national")
        parser.add_argument("--period", required=True)
        parser.add_argument("--by", help="force, region or a breakdown name")
        parser.add_argument("--compare", choices=["previous-year"])
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        orgunit = OrgUnit.objects.filter(code=options["orgunit"]).first()
        if orgunit is None:
            raise CommandError(f"unknown org unit {options['orgunit']!r}")
        try:
            result = query(
                options["metric"],
                orgunit,
                options["period"],
                by=options["by"],
                compare=options["compare"],
            )
        except (QueryError, PeriodError) as exc:
            raise CommandError(str(exc)) from exc
        data = result.as_dict()
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, indent=2))
            return
        writer = csv.writer(self.stdout)
        from msoic.web.exports import safe_cell

        if result.by:
            header = ["metric", "orgunit", "period", "key", "label", "value", "share"]
            if result.previous_period:
                header += ["previous_value", "change_pct"]
            writer.writerow(header)
            for row in data["rows"]:
                line = [
                    data["metric"],
                    data["orgunit"],
                    data["period"],
                    row["key"],
                    row["label"],
                    row["value"],
                    row.get("share", ""),
                ]
                if result.previous_period:
                    line += [row["previous_value"], row["change_pct"]]
                writer.writerow([safe_cell(c) for c in line])
        else:
            header = ["metric", "orgunit", "period", "value", "complete"]
            line = [
                data["metric"],
                data["orgunit"],
                data["period"],
                data["value"],
                data["complete"],
            ]
            if result.previous_period:
                header += ["previous_period", "previous_value", "change_pct", "change_flag"]
                line += [
                    data["previous_period"],
                    data["previous_value"],
                    data["change_pct"],
                    data["change_flag"],
                ]
            writer.writerow(header)
            writer.writerow([safe_cell(c) for c in line])
