"""Scheduled work on the task queue (ADR 0012). ``msoic enqueue_daily`` and ``msoic
enqueue_hourly`` (run by cron or a systemd timer, docs/deploy.md) put the daily and hourly
tasks on the queue; ``msoic worker`` runs them."""

from __future__ import annotations

from django_tasks import task

from msoic.audit.anchors import anchor_head
from msoic.referrals.tasks import escalate_referrals_task


@task()
def anchor_audit_head_task() -> str:
    """Write the audit log's head to the anchor store outside the database."""
    anchor = anchor_head()
    if anchor is None:
        return "audit log is empty: nothing to anchor"
    return f"anchored row #{anchor.seq}"


DAILY_TASKS = [anchor_audit_head_task]
# Referrals not acknowledged within 48 hours go to the unit: checked every hour.
HOURLY_TASKS = [escalate_referrals_task]
