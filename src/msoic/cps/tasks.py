"""The linkage run on the task queue (ADR 0012), run by ``msoic worker``.

A run is a :class:`~msoic.cps.models.LinkageRun` row first (at most one queued or running,
see :func:`msoic.cps.actions.do_request_linkage`), then a task naming it. The task claims the
row by a conditional update, so a task enqueued twice runs the linkage once. The task
passes its own result id: a worker killed mid-run leaves the run marked running, and the
same task, given back to the queue (msoic.runtime.lease), takes its run up again."""

from __future__ import annotations

from django.conf import settings
from django_tasks import TaskContext, task

from msoic.cps.actions import run_linkage


@task(takes_context=True)
def linkage_run_task(context: TaskContext, run_id: int) -> str:
    run = run_linkage(run_id, task_id=str(context.task_result.id))
    return f"linkage run {run.pk}: {run.status}"


def enqueue_linkage_run(run_id: int) -> None:
    """Queue the run for the worker, or run it here with ``MSOIC_RUN_JOBS_INLINE``."""
    if settings.MSOIC_RUN_JOBS_INLINE:
        run_linkage(run_id)
        return
    linkage_run_task.enqueue(run_id)
