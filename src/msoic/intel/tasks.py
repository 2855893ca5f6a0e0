"""Intelligence extracts on the task queue (ADR 0012), run by ``msoic worker`` as uploads of
returns are: a database error puts the task back with a growing delay; any other error is
the extract's own and marks it failed (:func:`msoic.intel.actions.run_extract`)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import OperationalError, close_old_connections
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6


def retry_delay(attempt: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=min(5 * 2 ** (attempt - 1), 600))


@task()
def intel_extract_task(job_id: int, attempt: int = 1) -> str:
    from msoic.intel.actions import run_extract

    try:
        job = run_extract(job_id)
    except OperationalError as exc:
        close_old_connections()
        if attempt >= MAX_ATTEMPTS:
            logger.error("intel extract %s: gave up after %s attempts (%s)", job_id, attempt, exc)
            return f"extract {job_id}: database unavailable, gave up"
        intel_extract_task.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
            job_id, attempt + 1
        )
        return f"extract {job_id}: attempt {attempt} met a database error; retried later"
    return f"extract {job.pk}: {job.status}"


def enqueue_extract(job_id: int) -> None:
    """Queue an extract for the worker, or read it here with ``MSOIC_RUN_JOBS_INLINE``."""
    if settings.MSOIC_RUN_JOBS_INLINE:
        from msoic.intel.actions import run_extract

        run_extract(job_id)
        return
    intel_extract_task.enqueue(job_id)
