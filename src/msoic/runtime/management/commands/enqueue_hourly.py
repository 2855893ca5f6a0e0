"""``msoic enqueue_hourly``: put the hourly tasks (the escalation of referrals not acknowledged
within 48 hours) on the queue for the worker."""

from typing import Any

from django.core.management.base import BaseCommand

from msoic.runtime.tasks import HOURLY_TASKS


class Command(BaseCommand):
    help = "Queue the hourly tasks (referral escalation) for `msoic worker`."

    def handle(self, *args: Any, **options: Any) -> None:
        for hourly in HOURLY_TASKS:
            result = hourly.enqueue()
            self.stdout.write(f"queued {hourly.name} (task {result.id})")
