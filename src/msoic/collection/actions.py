"""State changes of the collection app. Views and commands call these, never the models."""

from __future__ import annotations

import threading
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, transaction
from django.utils import timezone

from msoic.accounts.access import can_approve
from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.collection.models import ImportJob, ImportJobFile, Submission
from msoic.collection.pipeline import Outcome, build_context, import_file


def do_submit_return(filename: str, data: bytes, *, actor: Any, dry_run: bool = False,
                     acknowledgements: dict[str, str] | None = None) -> Outcome:
    """Submit one file (CSV or XLSX) through the pipeline; atomic and audited inside."""
    return import_file(filename, data, actor=actor, dry_run=dry_run, acknowledgements=acknowledgements)


def do_approve_submission(submission: Submission, *, actor: Any) -> Submission:
    if not can_approve(actor):
        raise PermissionDenied("Only the national team can approve returns")
    with transaction.atomic():
        sub = Submission.objects.select_for_update().get(pk=submission.pk)
        if sub.current_version_id is None:
            raise ValidationError("There is nothing to approve: no return has been received")
        if sub.locked:
            return sub
        sub.locked = True
        sub.approved_at = timezone.now()
        sub.approved_by = actor
        sub.save(update_fields=["locked", "approved_at", "approved_by"])
        record(actor=actor, action=AuditAction.APPROVE, obj=sub, orgunit=sub.orgunit,
               detail={"version": sub.current_version.number if sub.current_version else None})
    return sub


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
        record(actor=actor, action=AuditAction.UNLOCK, obj=sub, orgunit=sub.orgunit, justification=reason.strip())
    return sub


def do_create_import_job(files: list[tuple[str, bytes]], *, actor: Any, dry_run: bool = False) -> ImportJob:
    with transaction.atomic():
        job = ImportJob.objects.create(created_by=actor, dry_run=dry_run, total_files=len(files))
        ImportJobFile.objects.bulk_create(
            ImportJobFile(job=job, position=i, name=name[:255], content=data)
            for i, (name, data) in enumerate(files)
        )
    return job


def run_import_job(job_id: int) -> ImportJob:
    """Process a job's files in order, saving progress after each so the page can show it."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status in {ImportJob.Status.DONE, ImportJob.Status.FAILED}:
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    totals = {"accepted": 0, "unchanged": 0, "rejected": 0, "needs-comment": 0, "rows": 0}
    try:
        ctx = build_context(job.created_by)
        for f in job.files.filter(outcome__isnull=True).order_by("position"):
            outcome = import_file(f.name, bytes(f.content), actor=job.created_by, dry_run=job.dry_run, context=ctx)
            f.outcome = outcome.as_dict()
            f.content = b""  # the accepted bytes live on in StoredFile; no second copy
            f.save(update_fields=["outcome", "content"])
            ImportJob.objects.filter(pk=job.pk).update(processed_files=job.files.filter(outcome__isnull=False).count())
        for f in job.files.all():
            status = (f.outcome or {}).get("status", "rejected")
            totals[status] = totals.get(status, 0) + 1
            if status in {"accepted", "unchanged"}:
                totals["rows"] += (f.outcome or {}).get("rows", 0)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE, summary=totals, finished_at=timezone.now()
        )
    except Exception as exc:  # keep the job visible as failed; the files already stored stay stored
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, summary={**totals, "error": str(exc)}, finished_at=timezone.now()
        )
        raise
    job.refresh_from_db()
    return job


def start_import_job_in_background(job_id: int) -> None:
    """Run a job on a thread of this process; ``msoic run_import_jobs`` picks up any left over."""

    def work() -> None:
        try:
            run_import_job(job_id)
        finally:
            close_old_connections()

    threading.Thread(target=work, name=f"import-job-{job_id}", daemon=True).start()
