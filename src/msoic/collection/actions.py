"""State changes of the collection app. Views and commands call these, never the models."""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.collection.access import can_approve
from msoic.collection.models import ImportJob, ImportJobFile, Submission
from msoic.collection.pipeline import Outcome, build_context, import_file, import_rows
from msoic.collection.readers import ParsedFile
from msoic.collection.validation import Context, Problem

logger = logging.getLogger(__name__)


def do_submit_return(
    filename: str,
    data: bytes,
    *,
    actor: Any,
    dry_run: bool = False,
    acknowledgements: dict[str, str] | None = None,
    context: Context | None = None,
) -> Outcome:
    """Submit one file (CSV or XLSX) through the pipeline; atomic and audited inside.

    ``context`` (from ``build_context(actor)``) may be shared by a batch of files."""
    return import_file(
        filename,
        data,
        actor=actor,
        dry_run=dry_run,
        acknowledgements=acknowledgements,
        context=context,
    )


def do_approve_submission(submission: Submission, *, actor: Any) -> Submission:
    if not can_approve(actor):
        raise PermissionDenied("Only the national team can approve returns")
    with transaction.atomic():
        # The version and force come with the locked row (the audit row names both), and
        # only the return's own row is locked (PostgreSQL will not lock an outer join).
        sub = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("current_version", "orgunit")
            .get(pk=submission.pk)
        )
        if sub.current_version_id is None:
            raise ValidationError("There is nothing to approve: no return has been received")
        if sub.locked:
            return sub
        sub.locked = True
        sub.approved_at = timezone.now()
        sub.approved_by = actor
        sub.save(update_fields=["locked", "approved_at", "approved_by"])
        record(
            actor=actor,
            action=AuditAction.APPROVE,
            obj=sub,
            orgunit=sub.orgunit,
            detail={"version": sub.current_version.number if sub.current_version else None},
        )
    return sub


def do_approve_submissions(
    chosen: list[tuple[Submission, int]],
    *,
    actor: Any,
    describe: Callable[[Submission], str] = str,
) -> list[Submission]:
    """Approve several returns at once, each as it was reviewed: ``chosen`` pairs a
    return with the version number the approver saw. All or none: if any return has been
    approved meanwhile or has received a newer version, nothing is approved and the
    ValidationError lists each such return (``describe(submission)`` names it). Each
    approval goes through :func:`do_approve_submission`, so the rules and audit rows are
    the same as for one."""
    if not can_approve(actor):
        raise PermissionDenied("Only the national team can approve returns")
    if not chosen:
        raise ValidationError("Choose at least one return to approve")
    with transaction.atomic():
        fresh = {
            s.pk: s
            # Lock the returns only (the version is an outer join PostgreSQL will not lock).
            for s in Submission.objects.select_for_update(of=("self",))
            .select_related("current_version", "orgunit")
            .filter(pk__in=[sub.pk for sub, _ in chosen])
        }
        problems = []
        for sub, seen in chosen:
            now = fresh[sub.pk]
            if now.locked:
                problems.append(f"{describe(now)} has already been approved")
            elif now.current_version is None:
                problems.append(f"{describe(now)} has no version to approve")
            elif now.current_version.number != seen:
                problems.append(
                    f"{describe(now)}: version {now.current_version.number} arrived after you "
                    f"reviewed version {seen}; review it again"
                )
        if problems:
            raise ValidationError(problems)
        return [do_approve_submission(fresh[sub.pk], actor=actor) for sub, _ in chosen]


def do_unlock_submission(submission: Submission, *, actor: Any, reason: str) -> Submission:
    if not can_approve(actor):
        raise PermissionDenied("Only the national team can unlock returns")
    if not reason.strip():
        raise ValidationError("Say why the return is being unlocked")
    with transaction.atomic():
        sub = Submission.objects.select_for_update().get(pk=submission.pk)
        if not sub.locked:
            return sub
        sub.locked = False
        sub.approved_at = None
        sub.approved_by = None
        sub.save(update_fields=["locked", "approved_at", "approved_by"])
        record(
            actor=actor,
            action=AuditAction.UNLOCK,
            obj=sub,
            orgunit=sub.orgunit,
            justification=reason.strip(),
        )
    return sub


def do_create_import_job(
    files: list[tuple[str, bytes]], *, actor: Any, dry_run: bool = False
) -> ImportJob:
    with transaction.atomic():
        job = ImportJob.objects.create(created_by=actor, dry_run=dry_run, total_files=len(files))
        ImportJobFile.objects.bulk_create(
            ImportJobFile(job=job, position=i, name=name[:255], content=data)
            for i, (name, data) in enumerate(files)
        )
    return job


# A file's outcome while it is being read: {"status": "reading", "reads": n}, n the runs that
# began reading it. Found at the start of a run, it means the process died on that file:
# killed from outside (SIGKILL, a host going down) or by the file itself (out of memory).
# Nothing of it was stored (a file is stored in one transaction), so it is read again, once;
# a file the process died on MAX_READS times is refused instead of being read again. A
# marker without a count (written before counts were kept) counts as MAX_READS.
MAX_READS = 2


def _reading(reads: int) -> dict[str, Any]:
    return {"status": "reading", "reads": reads}


def _reads(outcome: dict[str, Any] | None) -> int:
    return 0 if outcome is None else int(outcome.get("reads", MAX_READS))


STORAGE_FULL = (
    "the service's storage is full, so nothing of this file was stored; send it again "
    "later, and tell the national team if it happens again"
)


def is_storage_full(exc: BaseException) -> bool:
    """Whether a database error means the disk is full: PostgreSQL's ``disk_full``
    (SQLSTATE 53100), SQLite's "database or disk is full", or the system's ENOSPC."""
    seen: BaseException | None = exc
    for _ in range(10):  # the error and what caused it
        if seen is None:
            return False
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC:
            return True
        if getattr(seen, "sqlstate", None) == "53100":
            return True
        if any(t in str(seen) for t in ("database or disk is full", "No space left on device")):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _refused_outcome(f: ImportJobFile, message: str, dry_run: bool) -> dict[str, Any]:
    return Outcome(
        filename=f.name,
        status="rejected",
        dry_run=dry_run,
        problems=[Problem("error", "file", message)],
    ).as_dict()


def run_import_job(job_id: int, *, final_attempt: bool = True) -> ImportJob:
    """Process a job's files in order, saving progress after each so the page can show it.

    A file that cannot be read is rejected with the reason and the next file goes on; a
    file the process died on (left marked as being read) is read again, and rejected once
    the process has died on it ``MAX_READS`` times; anything else that goes wrong marks the
    job failed with the reason. Never raises, so one bad job or file does not hold up the
    jobs behind it, with one exception: when the database itself fails (``OperationalError``:
    a restart, a lost connection) and this is not the ``final_attempt``, the error is raised
    for the task queue to try the job again later (msoic.collection.tasks); the file being
    read is left waiting, not refused.

    Running a job again is safe: only files without an outcome (or left being read) are
    read, a file is claimed (marked as being read) by a conditional update, so one run
    reads it, and a file is stored in one transaction, so a run killed half way stored
    nothing of the file it was reading (tests/runtime/test_faults.py)."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status in {ImportJob.Status.DONE, ImportJob.Status.FAILED}:
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    totals = _job_totals(job)
    reading: int | None = None
    try:
        for f in job.files.filter(outcome__status="reading"):
            if _reads(f.outcome) < MAX_READS:
                continue  # read again below
            f.outcome = _refused_outcome(
                f,
                "the service stopped while reading this file, each time it was tried, so it "
                "was not read again; check it is a normal return and send it again",
                job.dry_run,
            )
            f.content = b""
            f.save(update_fields=["outcome", "content"])
        ctx = build_context(job.created_by)
        waiting = Q(outcome__isnull=True) | Q(outcome__status="reading")
        for f in job.files.filter(waiting).order_by("position"):
            # Claimed by a conditional update on the outcome it had, so it is read once.
            unchanged = Q(outcome__isnull=True) if f.outcome is None else Q(outcome=f.outcome)
            claimed = ImportJobFile.objects.filter(unchanged, pk=f.pk).update(
                outcome=_reading(_reads(f.outcome) + 1)
            )
            if not claimed:
                continue
            reading = f.pk
            try:
                outcome = import_file(
                    f.name, bytes(f.content), actor=job.created_by, dry_run=job.dry_run, context=ctx
                )
            except OperationalError:
                raise  # the database, not the file: see the job-level handler
            except Exception as exc:  # a reader bug must not hold up the files behind it
                logger.exception("import job %s: file %s could not be read", job.pk, f.name)
                f.outcome = _refused_outcome(
                    f, f"the file could not be read ({type(exc).__name__})", job.dry_run
                )
            else:
                f.outcome = outcome.as_dict()
            # Accepted bytes live on in StoredFile and rejected ones are sent again once
            # fixed: no second copy. A file waiting for comments keeps its bytes, to be
            # re-run with them (do_acknowledge_import_file).
            if (f.outcome or {}).get("status") != "needs-comment":
                f.content = b""
            f.save(update_fields=["outcome", "content"])
            reading = None
            ImportJob.objects.filter(pk=job.pk).update(
                processed_files=job.files.filter(outcome__isnull=False)
                .exclude(outcome__status="reading")
                .count()
            )
        totals = _job_totals(job)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE, summary=totals, finished_at=timezone.now()
        )
    except OperationalError as exc:
        if not final_attempt:
            logger.warning("import job %s: database error, to be tried again: %s", job.pk, exc)
            _release_file(reading)
            raise
        if is_storage_full(exc):
            # Nothing of the file was stored (one transaction): say so on the file itself.
            logger.exception("import job %s failed: the storage is full", job.pk)
            _refuse_file(reading, STORAGE_FULL, job.dry_run)
            _mark_failed(job.pk, _job_totals(job), STORAGE_FULL)
        else:
            logger.exception("import job %s failed: the database kept failing", job.pk)
            _mark_failed(job.pk, totals, f"the database kept failing ({type(exc).__name__}: {exc})")
    except Exception as exc:  # keep the job visible as failed; the files already stored stay stored
        logger.exception("import job %s failed", job.pk)
        _mark_failed(job.pk, totals, f"{type(exc).__name__}: {exc}")
    job.refresh_from_db()
    return job


def _release_file(file_pk: int | None) -> None:
    """Put a file this run claimed back to waiting, so the next attempt reads it (best
    effort: if the database is still down, the next attempt finds it marked as being read
    and refuses it rather than risk reading a file that kills the process)."""
    if file_pk is None:
        return
    try:
        ImportJobFile.objects.filter(pk=file_pk, outcome__status="reading").update(outcome=None)
    except OperationalError:
        logger.warning("import job file %s: could not be put back to waiting", file_pk)


def _refuse_file(file_pk: int | None, message: str, dry_run: bool) -> None:
    """Refuse the file a failed run was reading, with the reason (best effort)."""
    if file_pk is None:
        return
    try:
        f = ImportJobFile.objects.get(pk=file_pk, outcome__status="reading")
        ImportJobFile.objects.filter(pk=f.pk).update(
            outcome=_refused_outcome(f, message, dry_run), content=b""
        )
    except (ImportJobFile.DoesNotExist, OperationalError):
        logger.warning("import job file %s: could not be marked refused", file_pk)


def _mark_failed(job_pk: int, totals: dict[str, int], reason: str) -> None:
    ImportJob.objects.filter(pk=job_pk).update(
        status=ImportJob.Status.FAILED,
        summary={**totals, "error": reason[:500]},
        finished_at=timezone.now(),
    )


def _job_totals(job: ImportJob) -> dict[str, int]:
    """Files by outcome, and the rows of the files that went through."""
    totals = {"accepted": 0, "unchanged": 0, "rejected": 0, "needs-comment": 0, "rows": 0}
    for outcome in job.files.exclude(outcome__isnull=True).values_list("outcome", flat=True):
        status = (outcome or {}).get("status", "rejected")
        totals[status] = totals.get(status, 0) + 1
        if status in {"accepted", "unchanged"}:
            totals["rows"] += (outcome or {}).get("rows", 0)
    return totals


def do_submit_rows(
    parsed: ParsedFile,
    *,
    filename: str,
    actor: Any,
    dry_run: bool = False,
    acknowledgements: dict[str, str] | None = None,
) -> Outcome:
    """Submit rows that did not come from a file (the web form, the API) through the pipeline."""
    return import_rows(
        parsed, filename=filename, actor=actor, dry_run=dry_run, acknowledgements=acknowledgements
    )


def do_acknowledge_import_file(
    job_file: ImportJobFile, acknowledgements: dict[str, str], *, actor: Any
) -> ImportJobFile:
    """Re-run an uploaded file that was held for comments, with the submitter's comments on
    its warnings. Only the person who uploaded it may; the pipeline audits what it stores."""
    if job_file.job.created_by_id != getattr(actor, "pk", None):
        raise PermissionDenied("Only the person who uploaded the file can comment on its warnings")
    with transaction.atomic():
        f = ImportJobFile.objects.select_for_update().select_related("job").get(pk=job_file.pk)
        if (f.outcome or {}).get("status") != "needs-comment" or not f.content:
            raise ValidationError("This file is not waiting for comments")
        outcome = import_file(
            f.name,
            bytes(f.content),
            actor=actor,
            dry_run=f.job.dry_run,
            acknowledgements=acknowledgements,
        )
        f.outcome = outcome.as_dict()
        if outcome.status != "needs-comment":
            f.content = b""
        f.save(update_fields=["outcome", "content"])
        ImportJob.objects.filter(pk=f.job_id).update(summary=_job_totals(f.job))
    return f


def start_import_job_in_background(job_id: int) -> None:
    """Put a job on the task queue once its rows are committed; ``msoic worker`` runs it
    (ADR 0012). ``msoic run_import_jobs`` runs in its own process any job a dead worker left."""
    from msoic.collection.tasks import enqueue_import_job

    transaction.on_commit(lambda: enqueue_import_job(job_id))
