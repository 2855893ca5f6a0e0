"""Scheduled work on the task queue (ADR 0012). ``msoic enqueue_daily`` (run by cron or a
systemd timer, docs/deploy.md) puts the daily tasks on the queue; ``msoic worker`` runs them."""

from __future__ import annotations

from django_tasks import task

from msoic.audit.anchors import anchor_head


@task()
def anchor_audit_head_task() -> str:
    """Write the audit log's head to the anchor store outside the database."""
    anchor = anchor_head()
    if anchor is None:
        return "audit log is empty: nothing to anchor"
    return f"anchored row #{anchor.seq}"


DAILY_TASKS = [anchor_audit_head_task]
