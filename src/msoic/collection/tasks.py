"""Collection's work on the task queue (ADR 0012): an upload job, run by ``msoic worker``.

The queue (django-tasks' database backend) hands each task to one worker. A task that meets
a database error (``OperationalError``: the server restarting, a lost connection) puts a
copy of itself back on the queue to run after a growing delay, up to ``MAX_ATTEMPTS``; the
last attempt marks the job failed with the reason. Any other error is the job's own and
marks it failed at once (``run_import_job`` never raises for it). Either way the task ends,
so a bad job never holds up the queue.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import OperationalError, close_old_connections
from django.utils import timezone
from django_tasks import task

from msoic.collection.actions import run_import_job

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_DELAY_SECONDS = 5
MAX_DELAY_SECONDS = 10 * 60


def retry_delay(attempt: int) -> datetime.timedelta:
    """How long to wait after attempt ``attempt`` failed: 5 s, 10 s, 20 s ... up to 10 min."""
    seconds = min(FIRST_DELAY_SECONDS * 2 ** (attempt - 1), MAX_DELAY_SECONDS)
    return datetime.timedelta(seconds=seconds)


@task()
def import_job_task(job_id: int, attempt: int = 1) -> str:
    """Run one upload job; returns what happened, kept on the task's row."""
    try:
        job = run_import_job(job_id, final_attempt=attempt >= MAX_ATTEMPTS)
    except OperationalError as exc:
        # The connection may be the broken part: drop it, then queue the next attempt.
        close_old_connections()
        delay = retry_delay(attempt)
        import_job_task.using(run_after=timezone.now() + delay).enqueue(job_id, attempt + 1)
        logger.warning(
            "import job %s: attempt %s of %s met a database error (%s); next in %s s",
            job_id,
            attempt,
            MAX_ATTEMPTS,
            exc,
            int(delay.total_seconds()),
        )
        return f"job {job_id}: attempt {attempt} met a database error; retried later"
    return f"job {job.pk}: {job.status}"


def enqueue_import_job(job_id: int) -> None:
    """Queue a job for the worker, or run it here and now with ``MSOIC_RUN_JOBS_INLINE``."""
    if settings.MSOIC_RUN_JOBS_INLINE:
        run_import_job(job_id)
        return
    import_job_task.enqueue(job_id)
