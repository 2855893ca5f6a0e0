"""Report builds on the task queue (ADR 0012), run by ``msoic worker``."""

from __future__ import annotations

from django_tasks import task

from msoic.reports.actions import run_build


@task()
def build_report_task(build_id: int) -> str:
    """Build one output; its progress and result are kept on the Build row."""
    job = run_build(build_id)
    return f"report build {job.pk}: {job.status}"
