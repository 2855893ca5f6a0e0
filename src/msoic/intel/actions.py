"""Every change to intelligence logs: one ``do_<verb>_<noun>`` each, atomic and audited.

- :func:`do_queue_extract` keeps an uploaded extract and puts it on the task queue (the
  worker runs :func:`run_extract`); :func:`do_import_extract` reads one at once (the
  command line). An extract is checked whole (:mod:`msoic.intel.importer`): any problem
  refuses it, stores nothing and writes a ``reject`` row; an accepted one is stored in one
  transaction (a ``collection`` row). Re-sending a log updates it and keeps the version it
  replaced; an identical log is left alone.
- :func:`do_review_log`: the unit's outcome for a log (an alteration row). Disseminating a
  handling code C log needs the handling authority.
- :func:`do_record_consultation` and :func:`do_export_logs`: s.62 consultation and
  disclosure rows; an export holding C logs needs the handling authority.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from msoic.audit.log import record
from msoic.audit.models import AuditAction, AuditEvent
from msoic.catalogue.loader import get_catalogue
from msoic.intel import access
from msoic.intel.importer import LogRow, Problem, check_extract, json_list
from msoic.intel.models import (
    DISSEMINATIONS,
    LINKS,
    Assessment,
    HandlingCode,
    ImportStatus,
    IntelImport,
    IntelLog,
    IntelLogVersion,
    IntelReview,
    IntelSender,
    Outcome,
    SourceEvaluation,
)
from msoic.intel.tally import refresh_tallies
from msoic.orgunits.models import OrgUnit, OrgUnitKind

if TYPE_CHECKING:
    from msoic.accounts.models import User

logger = logging.getLogger(__name__)

# The hashtag was launched in August 2023: no force's tagged count is derived before it.
FIRST_TAGGED_MONTH = date(2023, 8, 1)
STORED_FIELDS = (
    "created_on",
    "hashtags",
    "oic_tagged",
    "ms_referred",
    "source_evaluation",
    "assessment",
    "handling_code",
    "handling_conditions",
    "route",
    "exploitation_types",
    "summary",
    "investigation_ref",
    "operation",
    "digest",
)


@dataclass
class ExtractOutcome:
    filename: str
    status: str = ImportStatus.REJECTED
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        if self.problems:
            return [f"{self.filename}: refused, nothing stored"] + [f"  {p}" for p in self.problems]
        verb = "would store" if self.status == ImportStatus.CHECKED else "stored"
        return [
            f"{self.filename}: {verb} {self.new} new, {self.updated} updated "
            f"(earlier versions kept), {self.unchanged} unchanged"
        ]


def _force_words() -> dict[str, str]:
    out: dict[str, str] = {}
    for code, name in OrgUnit.objects.forces().values_list("code", "name"):
        out[code.lower()] = code
        out[name.lower()] = code
    return out


def check(filename: str, data: bytes, force: OrgUnit) -> tuple[list[LogRow], list[Problem]]:
    """The extract's logs, or every problem found (nothing stored)."""
    return check_extract(
        filename,
        data,
        force_code=force.code,
        force_words=_force_words(),
        exploitation_codes=frozenset(get_catalogue().breakdowns["exploitation_type"].options),
        today=timezone.localdate(),
    )


def _require_sender(actor: User | str, force: OrgUnit) -> None:
    if force.kind != OrgUnitKind.FORCE:
        raise ValidationError(f"{force.name} is not a force")
    if not isinstance(actor, str) and not access.can_send_for(actor, force):
        raise PermissionDenied(f"You may not send intelligence logs for {force.name}")


@transaction.atomic
def do_queue_extract(
    force: OrgUnit, filename: str, data: bytes, *, actor: User, dry_run: bool = False
) -> IntelImport:
    """Keep the upload and queue it for the worker (or run it now with
    ``MSOIC_RUN_JOBS_INLINE``). Nothing is read here."""
    _require_sender(actor, force)
    job = IntelImport.objects.create(
        force=force,
        filename=filename[:200],
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        dry_run=dry_run,
        created_by=actor,
    )
    from msoic.intel.tasks import enqueue_extract

    transaction.on_commit(lambda: enqueue_extract(job.pk))
    return job


def run_extract(job_id: int) -> IntelImport:
    """Read a queued extract (the worker's task). A job already finished is left alone."""
    with transaction.atomic():
        job = (
            IntelImport.objects.select_for_update()
            .select_related("force", "created_by")
            .get(pk=job_id)
        )
        if job.done:
            return job
        job.status = ImportStatus.RUNNING
        job.save(update_fields=["status"])
    actor: User | str = job.created_by or "intel import"
    try:
        import_extract(
            job.force, job.filename, bytes(job.data), actor=actor, dry_run=job.dry_run, job=job
        )
    except OperationalError:
        # The database, not the file: the task queues another attempt.
        IntelImport.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
        raise
    except Exception as exc:  # the job's own failure: recorded, never raised to the worker
        logger.exception("intel extract %s failed", job.pk)
        IntelImport.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            problems=[{"message": f"the extract could not be read ({type(exc).__name__})"}],
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job


def do_import_extract(
    force: OrgUnit, filename: str, data: bytes, *, actor: User | str, dry_run: bool = False
) -> ExtractOutcome:
    """Check an extract and store it at once (the command line), recorded as an import."""
    _require_sender(actor, force)
    job = IntelImport.objects.create(
        force=force,
        filename=filename[:200],
        data=b"",
        sha256=hashlib.sha256(data).hexdigest(),
        dry_run=dry_run,
        created_by=None if isinstance(actor, str) else actor,
        status=ImportStatus.RUNNING,
    )
    return import_extract(force, filename, data, actor=actor, dry_run=dry_run, job=job)


def import_extract(
    force: OrgUnit,
    filename: str,
    data: bytes,
    *,
    actor: User | str,
    dry_run: bool = False,
    job: IntelImport | None = None,
) -> ExtractOutcome:
    outcome = ExtractOutcome(filename)
    digest = hashlib.sha256(data).hexdigest()
    logs, outcome.problems = check(filename, data, force)
    if outcome.problems:
        with transaction.atomic():
            record(
                actor=actor,
                action=AuditAction.REJECT,
                object_type="intel.intelimport",
                object_id=str(job.pk) if job else "",
                orgunit=force,
                detail={
                    "step": "intel.import_extract",
                    "file": filename,
                    "file_sha256": digest,
                    "errors": len(outcome.problems),
                    "first": str(outcome.problems[0]),
                },
            )
            _finish(job, outcome)
        return outcome
    if dry_run:
        outcome.status = ImportStatus.CHECKED
        existing = dict(
            IntelLog.objects.filter(force=force).values_list("reference", "digest").iterator()
        )
        for log in logs:
            old = existing.get(log.reference)
            if old is None:
                outcome.new += 1
            elif old == log.digest:
                outcome.unchanged += 1
            else:
                outcome.updated += 1
        _finish(job, outcome)
        return outcome
    _store(force, logs, outcome, actor=actor, digest=digest, job=job)
    return outcome


def _finish(job: IntelImport | None, outcome: ExtractOutcome) -> None:
    if job is None:
        return
    job.status = outcome.status
    job.problems = [p.as_dict() for p in outcome.problems]
    job.new, job.updated, job.unchanged = outcome.new, outcome.updated, outcome.unchanged
    job.finished_at = timezone.now()
    job.data = b""  # the file is not kept once read: the logs (or the refusal) are
    job.save()


@transaction.atomic
def _store(
    force: OrgUnit,
    logs: list[LogRow],
    outcome: ExtractOutcome,
    *,
    actor: User | str,
    digest: str,
    job: IntelImport | None,
) -> None:
    OrgUnit.objects.select_for_update().filter(pk=force.pk).first()  # one extract at a time
    existing = {
        ref: (pk, old)
        for ref, pk, old in IntelLog.objects.filter(force=force)
        .values_list("reference", "pk", "digest")
        .iterator(chunk_size=5000)
    }
    today = timezone.localdate()
    now = timezone.now()
    new: list[tuple[Any, ...]] = []
    changed: dict[int, LogRow] = {}
    as_json: dict[tuple[str, ...], str] = {}  # most logs share their hashtags and types
    for log in logs:
        found = existing.get(log.reference)
        if found is None:
            new.append(_new_row(force.pk, log, today, now, as_json))
        elif found[1] != log.digest:
            changed[found[0]] = log
        else:
            outcome.unchanged += 1
    _insert(new)
    outcome.new = len(new)
    # the days whose tallies change: receipt (today) and creation of the new logs; creation
    # (before and after) and receipt of the changed ones
    touched = {today, *(log.created_on for log in logs)} if new or changed else set()
    if changed:
        ids = list(changed)
        updated: list[IntelLog] = []
        for start in range(0, len(ids), 500):
            olds = list(IntelLog.objects.filter(pk__in=ids[start : start + 500]))
            touched.update(d for old in olds for d in (old.created_on, old.received_on))
            IntelLogVersion.objects.bulk_create(
                [
                    IntelLogVersion(
                        log=old,
                        number=old.version,
                        fields=_fields_of(old),
                        replaced_at=now,
                        replaced_by_import=job,
                    )
                    for old in olds
                ]
            )
            for old in olds:
                log = changed[old.pk]
                for f in STORED_FIELDS:
                    setattr(old, f, getattr(log, f))
                old.version += 1
                old.updated_at = now
            updated.extend(olds)
        _update(updated, as_json)
        outcome.updated = len(changed)
    if touched:
        refresh_tallies([force.pk], min(touched), max(touched))
    tagged = [log.created_on for log in logs if log.oic_tagged]
    if tagged and not IntelSender.objects.filter(force=force).exists():
        first = max(min(tagged).replace(day=1), FIRST_TAGGED_MONTH)
        do_set_intel_sender(force, first, actor=actor)
    outcome.status = ImportStatus.ACCEPTED
    record(
        actor=actor,
        action=AuditAction.COLLECTION,
        object_type="intel.intelimport",
        object_id=str(job.pk) if job else "",
        orgunit=force,
        detail={
            "step": "intel.import_extract",
            "file": outcome.filename,
            "file_sha256": digest,
            "intel_logs_count": len(logs),
            "new": outcome.new,
            "corrected_count": outcome.updated,
        },
    )
    _finish(job, outcome)


NEW_COLUMNS = (
    "force_id",
    "reference",
    *STORED_FIELDS,
    "version",
    "received_on",
    "updated_at",
    "outcome",
)


def _new_row(
    force_id: int, log: LogRow, today: date, now: Any, seen: dict[tuple[str, ...], str]
) -> tuple[Any, ...]:
    """The row of a new log, in the order of :data:`NEW_COLUMNS`."""
    return (
        force_id,
        log.reference,
        log.created_on,
        json_list(log.hashtags, seen),
        log.oic_tagged,
        log.ms_referred,
        log.source_evaluation,
        log.assessment,
        log.handling_code,
        log.handling_conditions,
        log.route,
        json_list(log.exploitation_types, seen),
        log.summary,
        log.investigation_ref,
        log.operation,
        log.digest,
        1,
        today,
        now,
        "",
    )


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """New logs in the database's own bulk load, inside the import's transaction: ``COPY``
    on PostgreSQL, ``executemany`` on SQLite; not an ORM object per row.

    The rows go straight into the logs' table (no staging table): ``_store`` holds the
    force's lock and has read its references, so every row here is new; were one not, the
    unique constraint would refuse the ``COPY`` and the whole import would roll back."""
    if not rows:
        return
    table = IntelLog._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor: Django has no COPY
            copy_sql = f"COPY {table} ({', '.join(NEW_COLUMNS)}) FROM STDIN"
            with raw.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(NEW_COLUMNS))
    sql = f"INSERT INTO {table} ({', '.join(NEW_COLUMNS)}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 10_000):
            cursor.executemany(sql, rows[start : start + 10_000])


UPDATED_COLUMNS = (*STORED_FIELDS, "version", "updated_at")


def _update(logs: list[IntelLog], seen: dict[tuple[str, ...], str]) -> None:
    """Write the changed logs' new fields. PostgreSQL: ``COPY`` into a temporary table
    dropped at commit, then one ``UPDATE ... FROM`` it (the ORM's ``bulk_update`` builds a
    ``CASE`` per column per 500 logs: minutes for a mass correction); SQLite: ``bulk_update``."""
    if not logs:
        return
    if connection.vendor != "postgresql":
        IntelLog.objects.bulk_update(logs, list(UPDATED_COLUMNS), batch_size=500)
        return
    table = IntelLog._meta.db_table
    columns = ", ".join(UPDATED_COLUMNS)
    json_fields = ("hashtags", "exploitation_types")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE intel_restaged ON COMMIT DROP AS "  # noqa: S608
            f"SELECT id, {columns} FROM {table} WITH NO DATA"
        )
        raw = cursor.cursor  # psycopg's own cursor: Django has no COPY
        with raw.copy(f"COPY intel_restaged (id, {columns}) FROM STDIN") as copy:
            for log in logs:
                copy.write_row(
                    (
                        log.pk,
                        *(
                            json_list(getattr(log, f), seen)
                            if f in json_fields
                            else getattr(log, f)
                            for f in UPDATED_COLUMNS
                        ),
                    )
                )
        assignments = ", ".join(f"{c} = s.{c}" for c in UPDATED_COLUMNS)
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} FROM intel_restaged AS s "  # noqa: S608
            "WHERE t.id = s.id"
        )
        cursor.execute("DROP TABLE intel_restaged")


def _fields_of(log: IntelLog) -> dict[str, Any]:
    out = {f: getattr(log, f) for f in STORED_FIELDS if f not in ("digest",)}
    out["created_on"] = log.created_on.isoformat()
    return out


@transaction.atomic
def do_set_intel_sender(force: OrgUnit, from_month: date, *, actor: User | str) -> IntelSender:
    """From ``from_month`` on, ``force``'s OIC-tagged count comes from its logs."""
    if from_month.day != 1:
        raise ValidationError("the first month derived is a month (its first day)")
    sender, created = IntelSender.objects.update_or_create(
        force=force, defaults={"from_month": from_month}
    )
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=sender,
        orgunit=force,
        detail={
            "step": "intel.set_sender",
            "metric": "oic_intel_logs_tagged",
            "from_month": f"{from_month:%Y-%m}",
            "created": created,
        },
    )
    return sender


def parse_grading(text: str) -> tuple[str, str, str]:
    """'2BP' or '2/B/P' -> ('2', 'B', 'P'); ValidationError when not a 3x5x2 grading."""
    raw = text.replace("/", "").replace(" ", "").upper()
    if (
        len(raw) != 3
        or raw[0] not in SourceEvaluation.values
        or raw[1] not in Assessment.values
        or raw[2] not in HandlingCode.values
    ):
        raise ValidationError(
            f"{text!r} is not a 3x5x2 grading (source 1-3, assessment A-E, handling P or C)"
        )
    return raw[0], raw[1], raw[2]


@transaction.atomic
def do_review_log(
    log: IntelLog,
    *,
    actor: User,
    outcome: str,
    reason: str,
    reviewed_on: date | None = None,
    recipient: str = "",
    handling_authority: str = "",
    linked_ref: str = "",
    new_grading: str = "",
    new_conditions: str = "",
) -> IntelReview:
    """Record the unit's outcome for ``log``. The first review takes it off the queue."""
    if not access.can_review(actor):
        raise PermissionDenied("Only the unit reviews intelligence logs")
    # the force first, as an import of its extract does (its tallies are recounted below)
    OrgUnit.objects.select_for_update().filter(pk=log.force_id).first()
    log = IntelLog.objects.select_for_update().select_related("force").get(pk=log.pk)
    if outcome not in Outcome.values:
        raise ValidationError(f"unknown outcome {outcome!r}")
    reason = reason.strip()
    if not reason:
        raise ValidationError("give the reason for the outcome")
    on = reviewed_on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError("a review cannot be dated in the future")
    if on < log.received_on:
        raise ValidationError("a review cannot be dated before the log was received")
    handling_authority = handling_authority.strip()
    if outcome in DISSEMINATIONS:
        if not recipient.strip():
            raise ValidationError("name who the log was disseminated to")
        if log.handling_code == HandlingCode.C and not handling_authority:
            raise ValidationError(
                "this log has handling code C: record the handling authority for the dissemination"
            )
    if outcome in LINKS and not linked_ref.strip():
        raise ValidationError("give the operation or investigation the log is linked to")
    before = log.grading
    after = ""
    fields = ["outcome"]
    if outcome == Outcome.REGRADED:
        source, assessment, handling = parse_grading(new_grading)
        if handling == HandlingCode.C and not (new_conditions.strip() or log.handling_conditions):
            raise ValidationError("handling code C needs its conditions")
        log.source_evaluation, log.assessment, log.handling_code = source, assessment, handling
        if handling == HandlingCode.C:
            log.handling_conditions = new_conditions.strip()[:500] or log.handling_conditions
        after = log.grading
        fields += ["source_evaluation", "assessment", "handling_code", "handling_conditions"]
    if outcome == Outcome.LINKED_INVESTIGATION and not log.investigation_ref:
        log.investigation_ref = linked_ref.strip()[:64]
        fields.append("investigation_ref")
    if outcome == Outcome.LINKED_OPERATION and not log.operation:
        log.operation = linked_ref.strip()[:100]
        fields.append("operation")
    review = IntelReview.objects.create(
        log=log,
        outcome=outcome,
        reason=reason[:1000],
        reviewer=actor,
        reviewed_on=on,
        handling_authority=handling_authority[:200],
        recipient=recipient.strip()[:200],
        linked_ref=linked_ref.strip()[:100],
        grading_before=before,
        grading_after=after,
    )
    log.outcome = outcome
    if log.reviewed_on is None:
        log.reviewed_on = on
        log.review_days = (on - log.received_on).days
        fields += ["reviewed_on", "review_days"]
    log.save(update_fields=fields)
    # its day of receipt (waiting, grading) and of first review (reviewed, in time), each
    # recounted alone (a log received long ago leaves the days between alone)
    for day in sorted({log.received_on, log.reviewed_on or on}):
        refresh_tallies([log.force_id], day, day)
    record(
        actor=actor,
        action=AuditAction.ALTERATION if outcome not in DISSEMINATIONS else AuditAction.DISCLOSURE,
        obj=log,
        orgunit=log.force,
        recipient=recipient.strip()[:200],
        detail={
            "step": "intel.review_log",
            "review": review.pk,
            "outcome": outcome,
            "reason": reason[:500],
            "on": on.isoformat(),
            "intel_logs": [log_ref(log)],
            **({"handling_authority": handling_authority} if handling_authority else {}),
            **({"before": before, "to": after} if after else {}),
        },
    )
    return review


def log_ref(log: IntelLog) -> str:
    """Log references are unique within a force only, so the force qualifies them."""
    return f"{log.force.code}:{log.reference}"


def do_record_consultation(
    *, actor: User, step: str, logs: Iterable[IntelLog], purpose: str
) -> AuditEvent | None:
    """A ``consultation`` row naming the logs a page showed (none when it showed none)."""
    refs = sorted({log_ref(log) for log in logs})
    if not refs:
        return None
    owners = sorted({r.split(":", 1)[0] for r in refs})
    return record(
        actor=actor,
        action=AuditAction.CONSULTATION,
        object_type="intel.intellog",
        orgunit=owners[0] if len(owners) == 1 else "",
        justification=purpose[:500],
        detail={"step": step, "intel_logs": refs, "owners": owners},
    )


EXPORT_COLUMNS = (
    "force",
    "reference",
    "created",
    "hashtags",
    "grading",
    "handling_conditions",
    "route",
    "exploitation_types",
    "summary",
    "investigation",
    "operation",
    "received",
    "reviewed",
    "outcome",
)


def _safe(value: str) -> str:
    """Spreadsheet-safe text: a cell starting like a formula is quoted."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@transaction.atomic
def do_export_logs(
    logs: list[IntelLog], *, actor: User, recipient: str, purpose: str, handling_authority: str = ""
) -> bytes:
    """The logs as CSV, with a ``disclosure`` row. Handling code C logs are exported only
    with the handling authority recorded."""
    if not access.can_see_intel(actor):
        raise PermissionDenied("You may not export intelligence logs")
    if not recipient.strip() or not purpose.strip():
        raise ValidationError("give the recipient and the purpose of the export")
    restricted = [log for log in logs if log.handling_code == HandlingCode.C]
    if restricted and not handling_authority.strip():
        raise ValidationError(
            f"{len(restricted)} of these logs have handling code C: record the handling "
            "authority to export them"
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for log in logs:
        writer.writerow(
            [
                _safe(v)
                for v in (
                    log.force.code,
                    log.reference,
                    log.created_on.isoformat(),
                    " ".join(log.hashtags),
                    log.grading,
                    log.handling_conditions,
                    log.route,
                    ";".join(log.exploitation_types),
                    log.summary,
                    log.investigation_ref,
                    log.operation,
                    log.received_on.isoformat(),
                    log.reviewed_on.isoformat() if log.reviewed_on else "",
                    log.outcome,
                )
            ]
        )
    refs = sorted({log_ref(log) for log in logs})
    owners = sorted({log.force.code for log in logs})
    record(
        actor=actor,
        action=AuditAction.DISCLOSURE,
        object_type="intel.intellog",
        orgunit=owners[0] if len(owners) == 1 else "",
        recipient=recipient.strip()[:200],
        justification=purpose.strip()[:500],
        detail={
            "step": "intel.export_logs",
            "intel_logs": refs[:1000],
            "intel_logs_count": len(refs),
            "owners": owners,
            "format": "csv",
            "rows": len(logs),
            **({"handling_authority": handling_authority.strip()} if restricted else {}),
        },
    )
    return buffer.getvalue().encode("utf-8")
