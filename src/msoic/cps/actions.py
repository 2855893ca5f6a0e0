"""Every change to CPS cases and links: one ``do_<verb>_<noun>`` each, atomic and audited.

- :func:`do_import_extract`: a CPS case extract (CSV or XLSX through the one bounded reading
  path, :mod:`msoic.collection.reading`), one row a defendant, keyed by URN. Every row is
  checked first; any problem (an unknown force or offence code, dates out of order, a URN
  twice in the file...) refuses the whole file naming file, sheet, row and column, and
  writes a ``reject`` row. An accepted extract is stored in one transaction: a new case is
  version 1, a changed case a new version (the old values stay in its versions), an
  unchanged one is left alone, so sending the same extract twice stores nothing new. A
  change to a field the linkage compares reopens a confirmed link for review.
- :func:`do_request_linkage` and :func:`run_linkage`: a linkage run, on the worker; a run
  requested while another is queued or running is that run. A run whose worker died is
  taken up again by its task given back to the queue, or by any attempt once it is stuck,
  and :func:`do_restart_linkage` puts a stuck run (or one queued with its task lost) back
  on the queue at an analyst's word.
- :func:`do_decide_link`: an analyst confirms or rejects a candidate pair.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.collection.reading import FileRejected, column_letter, read_file_rows
from msoic.cps import access, linkage
from msoic.cps.models import (
    DECIDED,
    HEARTBEAT_EVERY,
    CaseOutcome,
    CaseVersion,
    CpsCase,
    Extract,
    Gender,
    Link,
    LinkageRun,
    LinkStatus,
    RunStatus,
    stuck_runs,
)
from msoic.cps.offences import exploitation_of, offences
from msoic.metrics.linkable import LinkableSuspect, provider
from msoic.orgunits.models import OrgUnit

if TYPE_CHECKING:
    from msoic.accounts.models import User

logger = logging.getLogger(__name__)

COLUMNS = ("urn", "force", *CpsCase.DATA_FIELDS)
REQUIRED = ("urn", "force", "defendant_ref", "offences", "charged_on", "outcome")
URN = re.compile(r"^[A-Za-z0-9]{4,32}$")


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    row: int | None = None
    column: str = ""
    sheet: str = ""

    @property
    def where(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class ImportOutcome:
    filename: str
    status: str = "rejected"  # accepted | checked (a dry run that passed) | rejected
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    reopened: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("accepted", "checked")


class _CellError(ValueError):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        if len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text)
        if len(text) == 10 and text[2] == "/" and text[5] == "/":
            return date(int(text[6:]), int(text[3:5]), int(text[:2]))
    except ValueError:
        pass
    raise _CellError(f'"{text}" is not a date: write it as YYYY-MM-DD')


def _whole(value: Any, what: str, low: int, high: int) -> int | None:
    text = _text(value)
    if not text:
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        raise _CellError(f'"{text}" is not {what} ({low} to {high})')
    return int(text)


def _forces() -> dict[str, OrgUnit]:
    out: dict[str, OrgUnit] = {}
    for force in OrgUnit.objects.forces():
        out[force.code.lower()] = force
        out[force.name.lower()] = force
    return out


def _check_row(cells: dict[str, Any], forces: dict[str, OrgUnit], today: date) -> dict[str, Any]:
    """One row's typed values; raises a dict of column -> message for every problem."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in REQUIRED:
        if not _text(cells.get(name)):
            errors[name] = f"{name} is required"
    urn = _text(cells.get("urn"))
    if urn and not URN.match(urn):
        errors["urn"] = f'"{urn}" is not a URN (4 to 32 letters and digits)'
    values["urn"] = urn.upper()
    word = _text(cells.get("force"))
    force = forces.get(word.lower())
    if word and force is None:
        errors["force"] = f'unknown force "{word}" (give its code, e.g. kent, or its name)'
    values["force"] = force
    values["police_reference"] = _text(cells.get("police_reference"))[:64]
    values["defendant_ref"] = _text(cells.get("defendant_ref"))[:32]
    gender = _text(cells.get("defendant_gender")).lower() or Gender.UNKNOWN
    if gender not in Gender.values:
        errors["defendant_gender"] = f'"{gender}" is not one of {", ".join(Gender.values)}'
    values["defendant_gender"] = gender
    codes = [c.strip().lower() for c in _text(cells.get("offences")).split(";") if c.strip()]
    unknown = [c for c in codes if c not in offences()]
    if unknown:
        errors["offences"] = (
            f"unknown offence code(s) {', '.join(unknown)} (known: {', '.join(offences())})"
        )
    values["offences"] = sorted(set(codes))
    outcome = _text(cells.get("outcome")).lower()
    if outcome and outcome not in CaseOutcome.values:
        errors["outcome"] = f'"{outcome}" is not one of {", ".join(CaseOutcome.values)}'
    values["outcome"] = outcome
    for name, typed in (
        ("defendant_birth_year", lambda v: _whole(v, "a year of birth", 1900, today.year)),
        ("sentence_months", lambda v: _whole(v, "a number of months", 0, 1200)),
        ("charged_on", _date),
        ("first_hearing_on", _date),
        ("outcome_on", _date),
    ):
        try:
            values[name] = typed(cells.get(name))
        except _CellError as exc:
            errors[name] = str(exc)
            values[name] = None
    for name in ("charged_on", "first_hearing_on", "outcome_on"):
        if values[name] and values[name] > today:
            errors[name] = f"{values[name]:%Y-%m-%d} is in the future"
    charged, hearing, ended = values["charged_on"], values["first_hearing_on"], values["outcome_on"]
    if charged and hearing and hearing < charged:
        errors["first_hearing_on"] = "the first hearing is before the charge"
    if ended and (hearing or charged) and ended < (hearing or charged):
        errors["outcome_on"] = "the outcome is dated before the first hearing or the charge"
    if outcome == CaseOutcome.ONGOING and ended:
        errors["outcome_on"] = "an ongoing case has no outcome date"
    if outcome and outcome != CaseOutcome.ONGOING and not ended and "outcome_on" not in errors:
        errors["outcome_on"] = f"give the date of the outcome ({outcome})"
    if values["sentence_months"] is not None and outcome != CaseOutcome.CONVICTED:
        errors["sentence_months"] = "a sentence is given for a conviction only"
    if errors:
        raise _RowErrors(errors)
    return values


class _RowErrors(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def check_rows(
    filename: str, rows: list[list[Any]], sheet: str = "", today: date | None = None
) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    """Every row typed and checked, every problem collected; nothing written."""
    today = today or timezone.localdate()
    problems: list[Problem] = []
    header_at = next((i for i, r in enumerate(rows) if any(_text(c) for c in r)), None)
    if header_at is None:
        return [], [Problem(filename, "the extract is empty: give a header row", sheet=sheet)]
    header = [_text(c).lower() for c in rows[header_at]]
    index = {name: i for i, name in enumerate(header) if name in COLUMNS}
    missing = [c for c in COLUMNS if c not in index]
    if missing:
        return [], [
            Problem(
                filename,
                f"no column {', '.join(missing)} in the header row",
                header_at + 1,
                sheet=sheet,
            )
        ]
    where = {c: f"{column_letter(i)} ({c})" for c, i in index.items()}
    forces = _forces()
    out: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        cells = {c: row[i] if i < len(row) else None for c, i in index.items()}
        if not any(_text(v) for v in cells.values()):
            continue
        try:
            values = _check_row(cells, forces, today)
        except _RowErrors as exc:
            for name, message in exc.errors.items():
                problems.append(Problem(filename, message, number, where[name], sheet))
            continue
        if values["urn"] in seen:
            problems.append(
                Problem(
                    filename,
                    f"URN {values['urn']} is also on row {seen[values['urn']]}",
                    number,
                    where["urn"],
                    sheet,
                )
            )
            continue
        seen[values["urn"]] = number
        out.append((number, values))
    if not out and not problems:
        problems.append(Problem(filename, "the extract has a header row but no case", sheet=sheet))
    return out, problems


def read_extract(filename: str, data: bytes) -> tuple[list[list[Any]], str]:
    rows = read_file_rows(filename, data)
    return rows, ("" if filename.lower().endswith(".csv") else "first sheet")


def do_import_extract(
    filename: str, data: bytes, *, actor: User | str, dry_run: bool = False
) -> ImportOutcome:
    """Check the whole extract, then store it at once or not at all."""
    if not isinstance(actor, str) and not access.can_manage(actor):
        raise PermissionDenied("Only the unit imports CPS extracts")
    outcome = ImportOutcome(filename)
    digest = hashlib.sha256(data).hexdigest()
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        raw = read_file_rows(filename, data)
    except FileRejected as exc:
        outcome.problems.append(Problem(filename, exc.message, exc.row, exc.column, exc.sheet))
    else:
        rows, outcome.problems = check_rows(filename, raw)
    outcome.rows = len(rows)
    if outcome.problems:
        record(
            actor=actor,
            action=AuditAction.REJECT,
            object_type="cps.extract",
            orgunit="cps",
            detail={
                "step": "cps.import_extract",
                "file": filename,
                "file_sha256": digest,
                "errors": len(outcome.problems),
                "first": str(outcome.problems[0]),
            },
        )
        return outcome
    if dry_run:
        outcome.status = "checked"
        return outcome
    _store(rows, outcome, actor=actor, digest=digest)
    return outcome


@transaction.atomic
def _store(
    rows: list[tuple[int, dict[str, Any]]],
    outcome: ImportOutcome,
    *,
    actor: User | str,
    digest: str,
) -> None:
    user = None if isinstance(actor, str) else actor
    extract = Extract.objects.create(
        filename=outcome.filename[:255], file_sha256=digest, received_by=user, rows=len(rows)
    )
    existing = {
        c.urn: c
        for c in CpsCase.objects.select_for_update()
        .filter(urn__in=[v["urn"] for _, v in rows])
        .select_related("force")
    }
    versions: list[CaseVersion] = []
    reopen: list[int] = []
    now = timezone.now()
    for _, values in rows:
        case = existing.get(values["urn"])
        if case is None:
            case = CpsCase(extract=extract, updated_at=now, **values)
            case.save()
            versions.append(
                CaseVersion(case=case, version=1, data=case.snapshot(), extract=extract)
            )
            outcome.new += 1
            continue
        before = case.snapshot()
        for name, value in values.items():
            setattr(case, name, value)
        after = case.snapshot()
        if after == before:
            outcome.unchanged += 1
            continue
        if any(before[n] != after[n] for n in CpsCase.LINKED_FIELDS) or (
            before["force"] != after["force"]
        ):
            reopen.append(case.pk)
        case.version += 1
        case.extract = extract
        case.updated_at = now
        case.save()
        versions.append(CaseVersion(case=case, version=case.version, data=after, extract=extract))
        outcome.updated += 1
    CaseVersion.objects.bulk_create(versions, batch_size=1000)
    if reopen:
        outcome.reopened = Link.objects.filter(
            case_id__in=reopen, status=LinkStatus.CONFIRMED
        ).update(status=LinkStatus.CLERICAL, decided_by=None, decided_at=None)
    extract.new, extract.updated, extract.unchanged = (
        outcome.new,
        outcome.updated,
        outcome.unchanged,
    )
    extract.reopened = outcome.reopened
    extract.save(update_fields=["new", "updated", "unchanged", "reopened"])
    outcome.status = "accepted"
    record(
        actor=actor,
        action=AuditAction.COLLECTION,
        obj=extract,
        orgunit="cps",
        detail={
            "step": "cps.import_extract",
            "file": outcome.filename,
            "file_sha256": digest,
            "received_from": "cps",
            "cps_cases_count": outcome.rows,
            "new": outcome.new,
            "corrected_count": outcome.updated,
        },
    )


# --- linkage runs --------------------------------------------------------------------------


def do_request_linkage(
    *, actor: User | str, engine: str = "duckdb", dry_run: bool = False
) -> tuple[LinkageRun, bool]:
    """A new queued run, or the run already queued or running (and False)."""
    if not isinstance(actor, str) and not access.can_manage(actor):
        raise PermissionDenied("Only the unit runs the linkage")
    if engine not in linkage.ENGINES:
        raise ValueError(f"unknown engine {engine!r}: {' or '.join(linkage.ENGINES)}")
    try:
        with transaction.atomic():
            run = LinkageRun.objects.create(
                engine=engine,
                dry_run=dry_run,
                requested_by=None if isinstance(actor, str) else actor,
            )
    except IntegrityError:
        current = LinkageRun.objects.filter(active=True).first()
        if current is None:  # finished in between: ask again
            return do_request_linkage(actor=actor, engine=engine, dry_run=dry_run)
        return current, False
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=run,
        orgunit="national",
        detail={"step": "cps.request_linkage", "changed": {"engine": engine, "dry_run": dry_run}},
    )
    return run, True


def do_restart_linkage(run: LinkageRun, *, actor: User) -> LinkageRun:
    """Put a stuck run (marked running, not heard from for ``STUCK_AFTER``: its worker
    died; or queued that long with no worker taking it: its task was lost) back on the
    queue, for the caller to enqueue its task. Raises
    :class:`RunNotStuck` for a run that is not stuck, and changes nothing."""
    if not access.can_manage(actor):
        raise PermissionDenied("Only the unit runs the linkage")
    with transaction.atomic():
        before = LinkageRun.objects.select_for_update().filter(pk=run.pk).first()
        now = timezone.now()
        put_back = LinkageRun.objects.filter(stuck_runs(now), pk=run.pk).update(
            status=RunStatus.QUEUED, task_id="", claim="", queued_at=now
        )
        run.refresh_from_db()
        if not put_back or before is None:
            raise RunNotStuck(
                f"Linkage run {run.pk} is {run.get_status_display().lower()} and not stuck: "
                f"nothing restarted"
            )
        if before.status == RunStatus.QUEUED:
            waited = timezone.localtime(before.queued_at).isoformat(timespec="seconds")
            reason = f"stuck: queued since {waited} and no worker took it"
        elif before.heartbeat_at:
            silent = timezone.localtime(before.heartbeat_at).isoformat(timespec="seconds")
            reason = f"stuck: no sign of life since {silent}"
        else:
            reason = "stuck: no sign of life since it was marked running"
        record(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=run,
            orgunit="national",
            detail={
                "step": "cps.restart_linkage",
                "from": before.status,
                "to": RunStatus.QUEUED.value,
                "reason": reason,
            },
        )
    return run


def _inputs() -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, LinkableSuspect]]:
    cases = list(
        CpsCase.objects.select_related("force").only(
            "pk",
            "force__code",
            "police_reference",
            "charged_on",
            "defendant_birth_year",
            "defendant_gender",
            "offences",
        )
    )
    cps_rows = [
        linkage.cps_record(
            f"c{c.pk}",
            force=c.force.code,
            police_reference=c.police_reference,
            charged_on=c.charged_on,
            birth_year=c.defendant_birth_year,
            gender=c.defendant_gender,
            exploitation=exploitation_of(c.offences),
        )
        for c in cases
    ]
    suspects = {s.id: s for s in provider().suspects()}
    register_rows = [
        linkage.register_record(
            f"s{s.id}",
            force=s.force_code,
            crime_reference=s.crime_reference,
            charged_on=s.charged_on,
            arrested_on=s.arrested_on,
            birth_year=s.birth_year,
            gender=s.gender,
            exploitation=s.exploitation_types,
        )
        for s in suspects.values()
    ]
    return cps_rows, register_rows, suspects


class RunNotStuck(ValueError):
    """A restart asked for a run that is not stuck (finished, waiting, or heard from)."""


def _claim(run_id: int, task_id: str) -> str | None:
    """Take the run for this attempt: a queued run, a stuck one, or one that ``task_id``
    holds already (the same task given back to the queue after its worker died). The
    attempt's token, or None when the run is not this attempt's to run."""
    now = timezone.now()
    takeable = Q(status=RunStatus.QUEUED) | stuck_runs(now)
    if task_id:
        takeable |= Q(status=RunStatus.RUNNING, task_id=task_id)
    token = uuid.uuid4().hex
    claimed = LinkageRun.objects.filter(takeable, pk=run_id).update(
        status=RunStatus.RUNNING,
        task_id=task_id,
        claim=token,
        heartbeat_at=now,
        started_at=Coalesce("started_at", Value(now, output_field=DateTimeField())),
        attempts=F("attempts") + 1,
    )
    return token if claimed else None


class _Heartbeat(threading.Thread):
    """The run's sign of life, renewed every ``HEARTBEAT_EVERY`` on a thread (and database
    connection) of its own while the attempt works, so a long scoring is not taken for a
    dead worker. It stops when told, or when the attempt's claim is gone."""

    def __init__(self, run_id: int, token: str) -> None:
        super().__init__(name=f"linkage-run-{run_id}", daemon=True)
        self.run_id, self.token = run_id, token
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(HEARTBEAT_EVERY.total_seconds()):
                try:
                    held = LinkageRun.objects.filter(
                        pk=self.run_id, status=RunStatus.RUNNING, claim=self.token
                    ).update(heartbeat_at=timezone.now())
                except DatabaseError as exc:  # busy or down: try next time
                    logger.warning("linkage run %s: heartbeat not written: %s", self.run_id, exc)
                    continue
                if not held:
                    return
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=HEARTBEAT_EVERY.total_seconds())


def run_linkage(run_id: int, *, task_id: str = "") -> LinkageRun:
    """Run a run (the worker's task, ``task_id`` its result's id; "" when run in place).

    A run already taken by another live attempt is left to it. A run taken up again (its
    worker died: the same task given back, or any task once the run is stuck) is done
    again from the start, from the cases and the register as they are now; its links
    replace the undecided links in one transaction, by the attempt still holding the run,
    so they are stored once whatever the number of attempts."""
    token = _claim(run_id, task_id)
    run = LinkageRun.objects.get(pk=run_id)
    if token is None:
        return run
    if run.attempts > 1:
        logger.warning("linkage run %s taken up again (attempt %s)", run_id, run.attempts)
    heartbeat = _Heartbeat(run_id, token)
    heartbeat.start()
    try:
        cps_rows, register_rows, suspects = _inputs()
        decisions = {
            (f"c{case_id}", f"s{suspect_id}"): status == LinkStatus.CONFIRMED
            for case_id, suspect_id, status in Link.objects.filter(status__in=DECIDED).values_list(
                "case_id", "suspect_id", "status"
            )
        }
        result = linkage.link(cps_rows, register_rows, engine=run.engine, decisions=decisions)
        _store_links(run, result, suspects, token)
    except Exception as exc:
        logger.exception("linkage run %s failed", run_id)
        LinkageRun.objects.filter(pk=run_id, claim=token).update(
            status=RunStatus.FAILED,
            active=None,
            finished_at=timezone.now(),
            message=f"{type(exc).__name__}: {exc}"[:2000],
        )
    finally:
        heartbeat.stop()
    run.refresh_from_db()
    return run


@transaction.atomic
def _store_links(
    run: LinkageRun, result: linkage.Outcome, suspects: dict[int, LinkableSuspect], token: str
) -> None:
    # First write of the transaction: holds the run (a row lock on PostgreSQL, the write
    # lock on SQLite) if this attempt still has it, so two attempts never both store.
    if not LinkageRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING, claim=token).update(
        heartbeat_at=timezone.now()
    ):
        logger.warning("linkage run %s: taken up by another attempt; nothing stored", run.pk)
        return
    decided = set(Link.objects.filter(status__in=DECIDED).values_list("case_id", "suspect_id"))
    forces = dict(OrgUnit.objects.forces().values_list("code", "pk"))
    new: list[Link] = []
    for pair in result.pairs:
        case_id, suspect_id = int(pair.cps_id[1:]), int(pair.register_id[1:])
        if (case_id, suspect_id) in decided:
            continue
        suspect = suspects[suspect_id]
        new.append(
            Link(
                case_id=case_id,
                suspect_id=suspect_id,
                suspect_ref=suspect.reference,
                investigation_id=suspect.investigation_id,
                force_id=forces[suspect.force_code],
                crime_reference=suspect.crime_reference,
                probability=pair.probability,
                status=pair.status,
                run=run,
            )
        )
    if not run.dry_run:
        Link.objects.exclude(status__in=DECIDED).delete()
        Link.objects.bulk_create(new, batch_size=2000)
    run.status = RunStatus.DONE
    run.active = None
    run.finished_at = timezone.now()
    run.cps_cases = CpsCase.objects.count()
    run.suspects = len(suspects)
    run.scored = result.scored
    run.automatic = sum(1 for link in new if link.status == LinkStatus.AUTOMATIC)
    run.clerical = sum(1 for link in new if link.status == LinkStatus.CLERICAL)
    run.confirmed = sum(1 for p in result.pairs if p.status == linkage.CONFIRMED)
    run.timings = {k: round(v, 3) for k, v in result.timings.items()}
    run.parameters = result.parameters
    run.save()
    record(
        actor=run.requested_by or "cps linkage",
        action=AuditAction.COMBINATION,
        obj=run,
        orgunit="national",
        detail={
            "step": "cps.run_linkage",
            "cps_cases_count": run.cps_cases,
            "people_count": run.suspects,
            "new": 0 if run.dry_run else len(new),
        },
    )


# --- clerical review -----------------------------------------------------------------------


@transaction.atomic
def do_decide_link(link: Link, *, actor: User, confirmed: bool) -> Link:
    """Confirm or reject a candidate pair. A confirmed pair takes the case and the suspect
    out of every other undecided pair; both decisions are kept for the next runs."""
    if not access.can_manage(actor):
        raise PermissionDenied("Only the unit reviews candidate pairs")
    before = link.status
    link.status = LinkStatus.CONFIRMED if confirmed else LinkStatus.REJECTED
    link.decided_by = actor
    link.decided_at = timezone.now()
    link.save(update_fields=["status", "decided_by", "decided_at"])
    if confirmed:
        Link.objects.exclude(pk=link.pk).exclude(status__in=DECIDED).filter(
            case_id=link.case_id
        ).delete()
        Link.objects.exclude(pk=link.pk).exclude(status__in=DECIDED).filter(
            suspect_id=link.suspect_id
        ).delete()
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=link,
        orgunit=link.force,
        detail={
            "step": "cps.decide_link",
            "from": before,
            "to": link.status,
            "cps_cases": [link.case.urn],
            "investigation": link.investigation_id,
            "people": [link.suspect_ref],
        },
    )
    return link
