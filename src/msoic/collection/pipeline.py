"""The one collection pipeline: parse → validate → store a new version, atomically.

Every source (CSV, the XLSX template, the web form, the API, the ``import_returns``
command, the demo loader) ends in :func:`import_rows`. A file is all or nothing: if any
row has an error, or a warning nobody has explained, nothing is stored.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from msoic.accounts.access import writable_forces
from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.catalogue.loader import get_catalogue
from msoic.collection.content import content_hash, merge
from msoic.collection.models import StoredFile, Submission, SubmissionVersion, Value
from msoic.collection.readers import FileRejected, ParsedFile, RawRow, read_upload
from msoic.collection.validation import Context, Entry, Problem, validate_rows
from msoic.collection.words import return_label
from msoic.metrics.periods import add_months, format_period
from msoic.metrics.sources import covered_by_code
from msoic.orgunits.models import OrgUnit

# What the sender does next about a return, by its state after the upload.
NEXT_STEPS = {
    "new": "Awaiting approval by the national team",
    "corrected": "Awaiting approval by the national team",
    "unchanged": "Nothing changed: the return is as it was",
    "unchanged-locked": "Approved and locked: nothing changed",
    "would-store": "Not stored (check only): review it, then upload the file again without "
    "'check only' to submit it",
    "rejected": "Not stored: fix the problems below and send the file again",
    "needs-comment": "Not stored yet: explain each warning below with a comment, then submit",
}


@dataclass
class StoredSubmission:
    """A return a file stored (or would store): its codes for programs, its name in words
    ("Modern slavery monthly return, Kent Police, October 2024"), its page and what the
    sender does next."""

    dataset: str
    force: str
    period: str
    version: int | None
    state: str  # new | corrected | unchanged | would-store
    label: str = ""
    id: int | None = None  # the submission's, when it exists
    locked: bool = False

    @property
    def url(self) -> str | None:
        return reverse("submission-detail", args=[self.id]) if self.id is not None else None

    @property
    def next_step(self) -> str:
        if self.state == "unchanged" and self.locked:
            return NEXT_STEPS["unchanged-locked"]
        return NEXT_STEPS.get(self.state, "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "force": self.force,
            "period": self.period,
            "version": self.version,
            "state": self.state,
            "label": self.label,
            "id": self.id,
            "url": self.url,
            "next_step": self.next_step,
        }


@dataclass
class Outcome:
    filename: str
    status: str  # accepted | unchanged | rejected | needs-comment
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    submissions: list[StoredSubmission] = field(default_factory=list)
    dry_run: bool = False
    # The returns a rejected file, or one held for comments, was for (as far as its rows
    # that passed name them), so the sender sees which return still needs sending.
    not_stored: list[StoredSubmission] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return self.status in {"accepted", "unchanged"}

    @property
    def next_step(self) -> str:
        """What the sender does next about the whole file, in words."""
        if self.status == "rejected":
            return "Nothing from this file was stored: fix these problems and send it again"
        if self.status == "needs-comment":
            return (
                "Nothing stored yet: explain each warning with a comment, then submit the "
                "file again with the comments"
            )
        if self.dry_run and self.status == "accepted":
            return NEXT_STEPS["would-store"]
        if self.status == "unchanged":
            return NEXT_STEPS["unchanged"]
        return NEXT_STEPS["new"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.filename,
            "status": self.status,
            "rows": self.rows,
            "dry_run": self.dry_run,
            "next_step": self.next_step,
            "problems": [p.as_dict(self.filename) for p in self.problems],
            "submissions": [s.as_dict() for s in self.submissions],
            "not_stored": [s.as_dict() for s in self.not_stored],
        }

    def lines(self) -> list[str]:
        """A human summary, one problem a line, for the command line."""
        head = f"{self.filename}: {self.status.upper()}"
        if self.status in {"accepted", "unchanged"}:
            counts: dict[str, int] = defaultdict(int)
            for s in self.submissions:
                counts[s.state] += 1
            head += (
                f" ({self.rows} rows; "
                + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
                + ")"
            )
        out = [head]
        for s in self.submissions:
            out.append(f"  {s.label}: {s.next_step}")
        for p in self.problems:
            out.append(f"  {p.severity}: {self.filename}: {p.where()}: {p.message}")
        return out


class _Rollback(Exception):
    pass


def _period_code(ctx: Context, dataset: str, period: date) -> str:
    ds = ctx.catalogue.datasets.get(dataset)
    return format_period(ds.frequency if ds else "monthly", period)


def _stored(
    ctx: Context,
    dataset: str,
    force_code: str,
    period: date,
    version: int | None,
    state: str,
    sub: Submission | None = None,
) -> StoredSubmission:
    force = ctx.forces.get(force_code)
    return StoredSubmission(
        dataset,
        force_code,
        _period_code(ctx, dataset, period),
        version,
        state,
        label=return_label(ctx.catalogue, dataset, force.name if force else force_code, period),
        id=sub.pk if sub is not None else None,
        locked=bool(sub.locked) if sub is not None else False,
    )


def build_context(actor: Any, entries_hint: Iterable[RawRow] = ()) -> Context:
    catalogue = get_catalogue()
    forces = {o.code: o for o in OrgUnit.objects.forces()}
    writable = (
        set(writable_forces(actor).values_list("code", flat=True))
        if actor is not None
        else set(forces)
    )
    return Context(
        catalogue=catalogue, forces=forces, writable=writable, register=covered_by_code()
    )


def _add_locks_and_history(ctx: Context, rows: list[RawRow]) -> None:
    """Load the locks and recent history the rules need, in two queries for the whole file."""
    from msoic.collection.validation import _parse_period, _text

    force_codes, periods, metrics = set(), set(), set()
    for raw in rows:
        force_codes.add(_text(raw.cells.get("force")).lower())
        metrics.add(_text(raw.cells.get("metric")).lower())
        try:
            periods.add(_parse_period(raw.cells.get("period")))
        except ValueError:
            pass
    force_ids = {ctx.forces[c].pk: c for c in force_codes if c in ctx.forces}
    ctx.locked, ctx.locked_content, ctx.unchanged_locked = set(), {}, []
    if not force_ids or not periods:
        return
    locked_versions = {}
    for s in Submission.objects.filter(
        orgunit_id__in=force_ids, period__in=periods, locked=True
    ).values("dataset", "orgunit_id", "period", "current_version_id"):
        key = (s["dataset"], force_ids[s["orgunit_id"]], s["period"])
        ctx.locked.add(key)
        locked_versions[s["current_version_id"]] = key
    if locked_versions:
        for vid, m, b, o, val, comment in Value.objects.filter(
            version_id__in=list(locked_versions)
        ).values_list("version_id", "metric", "breakdown", "option", "value", "comment"):
            ctx.locked_content.setdefault(locked_versions[vid], {})[(m, b, o)] = (val, comment)
    lookback = 12
    for rule in ctx.catalogue.rules:
        if rule.kind == "outlier_high":
            lookback = int(rule.params.get("lookback_months", 12))
    start = add_months(min(periods), -lookback)
    history: dict[tuple[str, str], dict[date, int]] = defaultdict(dict)
    for v in Value.objects.filter(
        is_current=True,
        breakdown="",
        orgunit_id__in=force_ids,
        metric__in=metrics,
        period__gte=start,
        period__lt=max(periods),
    ).values_list("orgunit_id", "metric", "period", "value"):
        history[(force_ids[v[0]], v[1])][v[2]] = v[3]
    ctx.history = dict(history)


def import_rows(
    parsed: ParsedFile,
    *,
    filename: str,
    actor: Any,
    data: bytes | None = None,
    dry_run: bool = False,
    acknowledgements: dict[str, str] | None = None,
    received_at: datetime | None = None,
    context: Context | None = None,
) -> Outcome:
    """Validate ``parsed`` rows and, if clean, store them as new submission versions."""
    ctx = context or build_context(actor)
    _add_locks_and_history(ctx, parsed.rows)
    entries, problems = validate_rows(parsed.rows, ctx)
    outcome = Outcome(
        filename=filename, status="rejected", rows=len(entries), problems=problems, dry_run=dry_run
    )
    if outcome.errors:
        outcome.rows = len(parsed.rows)
        outcome.not_stored = _returns_of(ctx, entries, "rejected")
        _audit_rejection(actor, filename, outcome, dry_run)
        return outcome
    acknowledgements = acknowledgements or {}
    by_key = {e.key: e for e in entries}
    unexplained = []
    acknowledged = []
    for w in outcome.warnings:
        note = (acknowledgements.get(w.key) or "").strip() or (
            by_key[w.key].comment if w.key in by_key else ""
        )
        if note:
            acknowledged.append(
                {"key": w.key, "rule": w.rule, "message": w.message, "comment": note}
            )
            if w.key in by_key and not by_key[w.key].comment:
                by_key[w.key].comment = note
        else:
            unexplained.append(w)
    if unexplained:
        outcome.status = "needs-comment"
        outcome.not_stored = _returns_of(ctx, entries, "needs-comment")
        return outcome
    unchanged_locked = _unchanged_locked(ctx)
    if not entries and unchanged_locked:
        outcome.status = "unchanged"
        outcome.submissions = unchanged_locked
        outcome.rows = len(parsed.rows)
        return outcome
    if not entries:
        outcome.status = "rejected"
        outcome.problems.append(
            Problem("error", "empty", "file has no values to store (every value cell is blank)")
        )
        _audit_rejection(actor, filename, outcome, dry_run)
        return outcome
    try:
        with transaction.atomic():
            outcome.submissions = _store(
                entries,
                ctx,
                actor=actor,
                filename=filename,
                data=data,
                source=parsed.kind,
                acknowledged=acknowledged,
                received_at=received_at,
            )
            if dry_run:
                raise _Rollback
    except _Rollback:
        for s in outcome.submissions:
            if s.state == "new":  # rolled back: the return does not exist
                s.id = None
            s.state = "would-store" if s.state != "unchanged" else s.state
            s.version = None if s.state == "would-store" else s.version
    except FileRejected as exc:  # a lock taken by someone else while we checked
        outcome.problems.append(Problem("error", "period_not_locked", exc.message))
        return outcome
    outcome.submissions.extend(unchanged_locked)
    changed = any(s.state in {"new", "corrected", "would-store"} for s in outcome.submissions)
    outcome.status = "accepted" if changed else "unchanged"
    return outcome


def _returns_of(ctx: Context, entries: list[Entry], state: str) -> list[StoredSubmission]:
    """The returns ``entries`` belong to, named, with the existing ones' pages (one query)."""
    keys = sorted({e.submission_key for e in entries if e.force in ctx.forces})
    if not keys:
        return []
    existing = {
        (s.dataset, s.orgunit_id, s.period): s
        for s in Submission.objects.filter(
            orgunit_id__in={ctx.forces[f].pk for _, f, _ in keys},
            period__in={p for _, _, p in keys},
            current_version__isnull=False,
        )
    }
    return [
        _stored(ctx, d, f, p, None, state, existing.get((d, ctx.forces[f].pk, p)))
        for d, f, p in keys
    ]


def _unchanged_locked(ctx: Context) -> list[StoredSubmission]:
    """The locked returns a file sent again exactly as they are, with their pages (one
    query for them all)."""
    if not ctx.unchanged_locked:
        return []
    ids = {
        (s.dataset, s.orgunit_id, s.period): s
        for s in Submission.objects.filter(
            locked=True,
            orgunit_id__in=[ctx.forces[f].pk for _, f, _ in ctx.unchanged_locked],
            period__in=[p for _, _, p in ctx.unchanged_locked],
        )
    }
    return [
        _stored(
            ctx,
            dataset,
            force,
            period,
            None,
            "unchanged",
            ids.get((dataset, ctx.forces[force].pk, period)),
        )
        for dataset, force, period in ctx.unchanged_locked
    ]


def _audit_rejection(actor: Any, filename: str, outcome: Outcome, dry_run: bool) -> None:
    if dry_run:
        return
    record(
        actor=actor,
        action=AuditAction.REJECT,
        object_type="collection.upload",
        object_id=filename[:64],
        detail={
            "errors": len(outcome.errors),
            "first": outcome.errors[0].as_dict(filename) if outcome.errors else None,
        },
    )


def _store(
    entries: list[Entry],
    ctx: Context,
    *,
    actor: Any,
    filename: str,
    data: bytes | None,
    source: str,
    acknowledged: list[dict[str, str]],
    received_at: datetime | None,
) -> list[StoredSubmission]:
    now = received_at or timezone.now()
    stored_file = None
    if data is not None:
        digest = hashlib.sha256(data).hexdigest()
        # get_or_create, not a look-up then an insert: the same file sent twice at the same
        # moment makes the second insert wait on the first's unique key, then find its row
        # (tests/runtime/test_faults.py), instead of failing the upload with IntegrityError.
        stored_file, _ = StoredFile.objects.get_or_create(
            sha256=digest, defaults={"name": filename[:255], "size": len(data), "content": data}
        )
    groups: dict[tuple[str, str, date], list[Entry]] = defaultdict(list)
    for e in entries:
        groups[e.submission_key].append(e)
    user = actor if getattr(actor, "is_authenticated", False) else None
    results = []
    for (dataset, force_code, period), group in sorted(groups.items()):
        orgunit = ctx.forces[force_code]
        sub, _ = Submission.objects.select_for_update().get_or_create(
            dataset=dataset, orgunit=orgunit, period=period
        )
        if sub.locked:
            raise FileRejected(
                f"{return_label(ctx.catalogue, dataset, orgunit.name, period)} was approved "
                "and locked while the file was checked; ask the national team to unlock it"
            )
        content: dict[tuple[str, str, str], tuple[int, str]] = {}
        if sub.current_version_id:
            for v in Value.objects.filter(version_id=sub.current_version_id).values_list(
                "metric", "breakdown", "option", "value", "comment"
            ):
                content[(v[0], v[1], v[2])] = (v[3], v[4])
        content = merge(content, group)
        digest = content_hash(content)
        current = sub.current_version
        if current is not None and current.content_sha256 == digest:
            results.append(
                _stored(ctx, dataset, force_code, period, current.number, "unchanged", sub)
            )
            continue
        number = (current.number + 1) if current else 1
        keys = {e.key for e in group}
        version = SubmissionVersion.objects.create(
            submission=sub,
            number=number,
            source=source,
            filename=filename[:255],
            file=stored_file,
            content_sha256=digest,
            received_at=now,
            submitted_by=user,
            value_count=len(content),
            acknowledged_warnings=[a for a in acknowledged if a["key"] in keys],
        )
        if current is not None:
            Value.objects.filter(version_id=current.pk).update(is_current=False)
        Value.objects.bulk_create(
            Value(
                version=version,
                orgunit=orgunit,
                period=period,
                metric=m,
                breakdown=b,
                option=o,
                value=val,
                comment=comment,
                is_current=True,
            )
            for (m, b, o), (val, comment) in content.items()
        )
        sub.current_version = version
        if sub.first_received_at is None:
            sub.first_received_at = now
        sub.save(update_fields=["current_version", "first_received_at"])
        record(
            actor=actor,
            action=AuditAction.COLLECTION if number == 1 else AuditAction.ALTERATION,
            obj=sub,
            orgunit=orgunit,
            detail={
                "version": number,
                "file": filename,
                "values": len(content),
                "source": source,
                "file_sha256": stored_file.sha256 if stored_file else None,
            },
        )
        results.append(
            _stored(
                ctx, dataset, force_code, period, number, "new" if number == 1 else "corrected", sub
            )
        )
    return results


def import_file(
    filename: str,
    data: bytes,
    *,
    actor: Any,
    dry_run: bool = False,
    acknowledgements: dict[str, str] | None = None,
    received_at: datetime | None = None,
    context: Context | None = None,
) -> Outcome:
    """Read, check and store one uploaded file. Never raises for bad input."""
    try:
        parsed = read_upload(filename, data)
    except FileRejected as exc:
        outcome = Outcome(
            filename=filename,
            status="rejected",
            dry_run=dry_run,
            problems=[
                Problem(
                    "error", "file", exc.message, sheet=exc.sheet, row=exc.row, column=exc.column
                )
            ],
        )
        _audit_rejection(actor, filename, outcome, dry_run)
        return outcome
    return import_rows(
        parsed,
        filename=filename,
        actor=actor,
        data=data,
        dry_run=dry_run,
        acknowledgements=acknowledgements,
        received_at=received_at,
        context=context,
    )
