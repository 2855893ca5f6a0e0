"""``msoic audit verify [--anchors FILE | --no-anchors]``: check every row's seal and link,
the append-only triggers, and the anchors (by default those of MSOIC_AUDIT_ANCHOR_FILE when
it exists);
``msoic audit anchor``: write the head to the anchor store; ``msoic audit tail``: show the
newest rows; ``msoic audit summarise-denied``: write the summaries of closed ``denied``
windows; ``msoic audit new-key ID``: print a fresh sealing key.

``verify`` exits 0 when every row is proven, 1 when the log was tampered with (or its
triggers are gone), and 2 when no fault was found but some rows could not be proven (their
key is not configured here) or the log is empty and no anchor exists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from msoic.audit.anchors import AnchorError, anchor_file, anchor_head, read_anchors
from msoic.audit.keys import new_key_line
from msoic.audit.log import summarise_denied
from msoic.audit.models import AuditEvent
from msoic.audit.verify import VerifyResult, verify_chain


def describe(result: VerifyResult) -> str:
    """What a successful check proved, and what it could not."""
    parts = [f"{result.checked} rows verified"]
    if result.legacy:
        parts.append(
            f"{result.legacy} of them legacy rows (plain SHA-256, written before sealing; "
            "closed by the sealed row after them)"
        )
    if result.anchors_checked:
        parts.append(
            f"the chain passes through {result.anchors_checked} anchor(s) from "
            f"{result.anchor_source or 'the anchor file'}"
        )
    if result.anchors_skipped:
        parts.append("anchors not checked (--no-anchors)")
    parts.append(result.tail_unproven)
    text = "; ".join(parts)
    if result.development_key:
        text += " (sealed with the development key: MSOIC_AUDIT_KEY is not set)"
    return text


class Command(BaseCommand):
    help = "Verify, anchor or show the audit log."
    # Runs even when the system checks fail: this is the command that examines a damaged
    # database, and `verify` reports missing triggers itself (msoic.E202 is a database check,
    # run only by `msoic check --database`).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="sub", required=True)
        verify = sub.add_parser(
            "verify", help="check every row's MAC and link; exit 1 at the first bad row"
        )
        verify.add_argument(
            "--anchors",
            type=Path,
            help="an anchor file: prove the chain passes through every anchor in it "
            "(default: MSOIC_AUDIT_ANCHOR_FILE, when it exists)",
        )
        verify.add_argument(
            "--no-anchors",
            action="store_true",
            help="do not check any anchor file (the output says so)",
        )
        anchor = sub.add_parser("anchor", help="append the current head to the anchor store")
        anchor.add_argument(
            "--file", type=Path, help="the anchor file (default: MSOIC_AUDIT_ANCHOR_FILE)"
        )
        tail = sub.add_parser("tail", help="print the newest rows")
        tail.add_argument("-n", type=int, default=20)
        sub.add_parser(
            "summarise-denied",
            help="write a summary row for each closed window of rate-limited refusals",
        )
        new_key = sub.add_parser("new-key", help="print a fresh random key for MSOIC_AUDIT_KEY")
        new_key.add_argument("key_id", help="its id, e.g. the date: 2026-12")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "handle_" + options["sub"].replace("-", "_"))(options)

    def handle_verify(self, options: dict[str, Any]) -> None:
        if options["anchors"] is not None and options["no_anchors"]:
            raise CommandError("--anchors and --no-anchors cannot be given together")
        if options["anchors"] is not None:
            try:
                anchors = read_anchors(options["anchors"])
            except AnchorError as exc:
                raise CommandError(str(exc)) from exc
            if not anchors:
                raise CommandError(f"{options['anchors']}: the anchor file holds no anchors")
            result = verify_chain(anchors=anchors, anchor_source=str(options["anchors"]))
        else:
            result = verify_chain(use_anchors=not options["no_anchors"])
        if not result.ok and result.bad_seq is None:
            raise CommandError(f"audit log not intact: {result.reason}")
        if not result.ok:
            raise CommandError(
                f"audit log tampered: first bad row is #{result.bad_seq} ({result.reason}); "
                f"{result.checked} rows before it are intact"
            )
        if result.unproven:
            raise CommandError(
                f"audit log not proven: {result.unproven} of {result.checked} rows are sealed "
                f"with key(s) {', '.join(result.missing_key_ids)}, not configured here, so "
                "their MACs cannot be checked; their sequence and links were checked and are "
                "intact. Verify with the key (MSOIC_AUDIT_KEY or MSOIC_AUDIT_RETIRED_KEYS) to "
                "prove them",
                returncode=2,
            )
        if result.empty:
            raise CommandError(
                "audit log not proven: it holds no rows, and "
                + (
                    "anchors were not checked (--no-anchors)"
                    if result.anchors_skipped
                    else "no anchor exists to say it ever held any"
                )
                + ": the log is either new (nothing recorded yet) or was emptied",
                returncode=2,
            )
        self.stdout.write(f"audit log intact: {describe(result)}")

    def handle_anchor(self, options: dict[str, Any]) -> None:
        path = options["file"] or anchor_file()
        anchor = anchor_head(path)
        if anchor is None:
            self.stdout.write("audit log is empty: nothing to anchor")
            return
        self.stdout.write(
            f"anchored row #{anchor.seq} (key {anchor.key_id or 'legacy'}, MAC "
            f"{anchor.mac[:16]}…) to {path}"
        )

    def handle_tail(self, options: dict[str, Any]) -> None:
        for ev in AuditEvent.objects.order_by("-seq")[: options["n"]]:
            self.stdout.write(
                f"#{ev.seq} {ev.at.isoformat()} {ev.actor_label} {ev.action} "
                f"{ev.object_type}:{ev.object_id} {ev.orgunit_code} {ev.justification}"
            )

    def handle_summarise_denied(self, options: dict[str, Any]) -> None:
        written = summarise_denied()
        self.stdout.write(f"{written} summary row(s) of rate-limited refusals written")

    def handle_new_key(self, options: dict[str, Any]) -> None:
        try:
            line = new_key_line(options["key_id"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"MSOIC_AUDIT_KEY={line}")
