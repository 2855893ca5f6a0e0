"""``msoic cps``: CPS extracts, the linkage and its quality.

- ``msoic cps import FILE [--dry-run] [--user USERNAME]``: check and store a CPS extract;
- ``msoic cps link [--engine duckdb|spark] [--dry-run] [--queue]``: a linkage run, here
  and now (or ``--queue``: on the worker); a run already queued or running is that run;
- ``msoic cps links [--format csv|text] [--recipient WHO]``: every link (force, crime
  reference, URN, match probability, status); a disclosure row is written;
- ``msoic cps synth [--investigations N] [--seed S] [--engine E] [--out DIR]``: a labelled
  synthetic register and extract, linked, with precision, recall and F1 against the truth
  and the size of the clerical review band (nothing stored; ``--out`` writes the extract).
"""

from __future__ import annotations

import csv
import hashlib
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from msoic.accounts.models import User
from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.cps import access, actions, linkage, synth
from msoic.cps.models import Link
from msoic.cps.tasks import enqueue_linkage_run


class Command(BaseCommand):
    help = "CPS case extracts, their linkage to the register, and the linkage's quality."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="check and store a CPS case extract")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="check only, store nothing")
        imp.add_argument("--user", help="record the import as this national user")
        link = sub.add_parser("link", help="link CPS cases to the register")
        link.add_argument("--engine", choices=linkage.ENGINES, default="duckdb")
        link.add_argument("--dry-run", action="store_true", help="score, but keep no links")
        link.add_argument("--queue", action="store_true", help="leave the run to the worker")
        link.add_argument("--user", help="record the run as this national user")
        links = sub.add_parser("links", help="print every link")
        links.add_argument("--format", choices=("csv", "text"), default="text")
        links.add_argument("--recipient", default="", help="who the list is for (audit log)")
        syn = sub.add_parser("synth", help="measure the linkage on labelled synthetic data")
        syn.add_argument("--investigations", type=int, default=5000)
        syn.add_argument("--seed", type=int, default=15)
        syn.add_argument("--engine", choices=linkage.ENGINES, default="duckdb")
        syn.add_argument("--out", help="write the synthetic extract (CSV) to this folder")

    def _actor(self, username: str | None) -> Any:
        if not username:
            return "cps command"
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or not access.can_manage(user):
            raise CommandError(f"{username!r} is not an active national user")
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        outcome = actions.do_import_extract(
            path.name,
            path.read_bytes(),
            actor=self._actor(options["user"]),
            dry_run=options["dry_run"],
        )
        if outcome.problems:
            for problem in outcome.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{path.name}: refused, nothing stored ({len(outcome.problems)} problems)"
            )
        if outcome.status == "checked":
            self.stdout.write(
                f"{path.name}: {outcome.rows} cases checked, nothing stored (dry run)"
            )
            return
        self.stdout.write(
            f"{path.name}: {outcome.rows} cases, {outcome.new} new, {outcome.updated} updated, "
            f"{outcome.unchanged} unchanged, {outcome.reopened} confirmed links reopened"
        )

    def _link(self, options: dict[str, Any]) -> None:
        run, created = actions.do_request_linkage(
            actor=self._actor(options["user"]),
            engine=options["engine"],
            dry_run=options["dry_run"],
        )
        if not created:
            why = "no worker took it" if run.status == "queued" else "its worker stopped"
            stuck = (
                f" and stuck ({why}): restart it on the CPS linkage page" if run.is_stuck() else ""
            )
            self.stdout.write(f"linkage run {run.pk} is already {run.status}{stuck}: no second run")
            return
        if options["queue"]:
            enqueue_linkage_run(run.pk)
            self.stdout.write(f"linkage run {run.pk} queued for the worker")
            return
        run = actions.run_linkage(run.pk)
        if run.status != "done":
            raise CommandError(f"linkage run {run.pk} {run.status}: {run.message}")
        kept = "(dry run: no links kept) " if run.dry_run else ""
        self.stdout.write(
            f"linkage run {run.pk} {kept}on {run.engine}: {run.cps_cases} CPS cases, "
            f"{run.suspects} suspects, {run.scored} pairs scored, {run.automatic} automatic, "
            f"{run.clerical} for review, {run.confirmed} confirmed; "
            + ", ".join(f"{k} {v:.1f} s" for k, v in run.timings.items())
        )

    def _links(self, options: dict[str, Any]) -> None:
        rows = Link.objects.select_related("force", "case").order_by(
            "force__code", "crime_reference", "case__urn"
        )
        out = csv.writer(sys.stdout if options["format"] == "csv" else _Text(self.stdout))
        out.writerow(["force", "crime_reference", "urn", "match_probability", "status"])
        urns: list[str] = []
        for link in rows.iterator(chunk_size=2000):
            urns.append(link.case.urn)
            out.writerow(
                [
                    link.force.code,
                    link.crime_reference,
                    link.case.urn,
                    f"{link.probability:.4f}",
                    link.status,
                ]
            )
        record(
            actor="cps command",
            action=AuditAction.DISCLOSURE,
            object_type="cps.link",
            orgunit="national",
            recipient=options["recipient"] or "command line",
            detail={
                "step": "cps.export_links",
                "format": options["format"],
                "rows": len(urns),
                "cps_cases_count": len(set(urns)),
                "sha256": hashlib.sha256("\n".join(sorted(urns)).encode()).hexdigest(),
            },
        )

    def _synth(self, options: dict[str, Any]) -> None:
        started = time.perf_counter()
        data = synth.generate(options["investigations"], seed=options["seed"])
        if options["out"]:
            folder = Path(options["out"])
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"cps-synthetic-{options['seed']}.csv"
            synth.write_extract(target, data.cases)
            self.stdout.write(f"wrote {target}")
        cps_rows, register_rows = synth.records(data)
        outcome = linkage.link(cps_rows, register_rows, engine=options["engine"])
        automatic = linkage.scores(outcome.pairs, data.truth)
        everything = linkage.scores(outcome.pairs, data.truth, automatic_only=False)
        self.stdout.write(
            f"{len(data.suspects)} register suspects, {len(data.cases)} CPS cases, "
            f"{len(data.truth)} true pairs; {outcome.scored} candidate pairs scored"
        )
        self.stdout.write(
            f"at the automatic threshold ({linkage.Thresholds().automatic}): "
            f"precision {automatic['precision']:.4f}, recall {automatic['recall']:.4f}, "
            f"F1 {automatic['f1']:.4f} ({int(automatic['links'])} links)"
        )
        self.stdout.write(
            f"clerical review band ({linkage.Thresholds().clerical} to "
            f"{linkage.Thresholds().automatic}): {outcome.clerical} pairs; if an analyst "
            f"confirmed every true one: recall {everything['recall']:.4f}"
        )
        self.stdout.write(
            "times: "
            + ", ".join(f"{k} {v:.1f} s" for k, v in outcome.timings.items())
            + f"; total {time.perf_counter() - started:.1f} s"
        )


class _Text:
    """A csv writer target that writes tab-separated lines to the command's output."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, line: str) -> None:
        self.stream.write(line.rstrip("\r\n").replace(",", "\t"))
