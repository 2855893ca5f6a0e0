"""``msoic query METRIC --orgunit CODE --period PERIOD [--by ...] [--compare previous-year]``,
or ``msoic query date SOURCE [key=value ...]`` for a dated fact (:mod:`msoic.metrics.dates`)."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from msoic.metrics import dates
from msoic.metrics.engine import QueryError, query
from msoic.metrics.periods import PeriodError
from msoic.orgunits.models import OrgUnit


class Command(BaseCommand):
    help = (
        "Ask the metric engine for a metric's value, as JSON or CSV; "
        "'date SOURCE key=value ...' asks for a dated fact."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("metric", help="a metric, or 'date' for a dated fact")
        parser.add_argument("facts", nargs="*", help="after 'date': SOURCE key=value ...")
        parser.add_argument("--orgunit", default="national")
        parser.add_argument("--period", help="required for a metric")
        parser.add_argument("--by", help="force, region or a breakdown name")
        parser.add_argument("--compare", choices=["previous-year"])
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["metric"] == "date":
            self.date_fact(options["facts"], options["format"])
            return
        if options["facts"]:
            raise CommandError(f"unexpected arguments {' '.join(options['facts'])}")
        if not options["period"]:
            raise CommandError("--period is required for a metric")
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

    def date_fact(self, words: list[str], fmt: str) -> None:
        """``date SOURCE key=value ...``: one dated fact, as of now."""
        if not words:
            raise CommandError("name a date: msoic query date SOURCE [key=value ...]")
        given: dict[str, str] = {}
        for word in words[1:]:
            key, eq, value = word.partition("=")
            if not eq or not key:
                raise CommandError(f"{word!r} is not key=value")
            given[key] = value
        try:
            found = dates.fact(words[0], given)
        except dates.DateError as exc:
            raise CommandError(str(exc)) from exc
        data = {
            "source": words[0],
            "options": given,
            "value": found.on.isoformat(),
            "precision": found.precision,
            "label": found.label,
            "records": found.records,
            "link": found.link,
            "as_at": timezone.now().isoformat(timespec="seconds"),
        }
        if fmt == "json":
            self.stdout.write(json.dumps(data, indent=2))
            return
        from msoic.web.exports import safe_cell

        writer = csv.writer(self.stdout)
        header = ["source", "value", "precision", "label", "records", "as_at"]
        writer.writerow(header)
        writer.writerow([safe_cell(data[k]) for k in header])
