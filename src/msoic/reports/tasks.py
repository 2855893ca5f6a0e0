"""Report builds on the task queue (ADR 0012), run by ``msoic worker``.

A worker killed mid-build leaves its task running; the queue gives it back
(msoic.runtime.lease) and :func:`msoic.reports.actions.run_build` builds it again from the
start, storing one output (a build already finished is left as it is)."""

from __future__ import annotations

from django_tasks import task

from msoic.reports.actions import run_build


@task()
def build_report_task(build_id: int) -> str:
    """Build one output; its progress and result are kept on the Build row."""
    job = run_build(build_id)
    return f"report build {job.pk}: {job.status}"
