"""``msoic report build TEMPLATE --period FY2023-24 --format html|pdf|docx|xlsx|json --out FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from msoic.metrics.periods import Period, PeriodError
from msoic.reports import actions
from msoic.reports.render import FORMATS
from msoic.reports.resolve import DRAFT, PUBLICATION
from msoic.reports.tags import TemplateError


class Command(BaseCommand):
    help = "Build a report from a template, every figure answered by the metric engine."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        b = sub.add_parser("build", help="build a report to a file")
        b.add_argument("template", help="a stored template's name, or a shipped one (annual)")
        b.add_argument("--period", required=True, help="e.g. FY2023-24")
        b.add_argument("--format", choices=FORMATS, required=True)
        b.add_argument("--out", required=True, type=Path)
        b.add_argument(
            "--publication",
            action="store_true",
            help="figures of people through disclosure control, as a publication states them",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = Period.parse(options["period"])
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        mode = PUBLICATION if options["publication"] else DRAFT
        try:
            built, data = actions.build_named(
                options["template"], period, options["format"], mode=mode
            )
        except TemplateError as exc:
            raise CommandError(_lines("the template has problems", exc.problems)) from exc
        except actions.ReportError as exc:
            raise CommandError(str(exc)) from exc
        for warning in built.warnings:
            self.stderr.write(f"warning: {warning}")
        if built.errors:
            raise CommandError(_lines("the report cannot be built", built.errors))
        options["out"].write_bytes(data)
        self.stdout.write(
            f"{options['out']}: {len(built.figures)} figures, {len(built.warnings)} warnings"
        )


def _lines(head: str, problems: list[str]) -> str:
    return head + ":\n" + "\n".join(f"  {p}" for p in problems)
