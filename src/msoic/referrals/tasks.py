"""The referral pathway's scheduled work on the task queue: escalation of referrals not
acknowledged within 48 hours (queued every hour by ``msoic enqueue_hourly``, run by
``msoic worker``; ``msoic escalate_referrals`` does the same at once)."""

from __future__ import annotations

from django_tasks import task

from msoic.referrals.actions import do_escalate_overdue_referrals


@task()
def escalate_referrals_task() -> str:
    escalated = do_escalate_overdue_referrals()
    if not escalated:
        return "no referral to escalate"
    return "escalated " + ", ".join(r.reference for r in escalated)
