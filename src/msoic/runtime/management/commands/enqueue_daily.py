"""``msoic enqueue_daily``: put the daily tasks (the audit anchor) on the queue for the worker."""

from typing import Any

from django.core.management.base import BaseCommand

from msoic.runtime.tasks import DAILY_TASKS


class Command(BaseCommand):
    help = "Queue the daily tasks (the audit log's anchor) for `msoic worker`."

    def handle(self, *args: Any, **options: Any) -> None:
        for daily in DAILY_TASKS:
            result = daily.enqueue()
            self.stdout.write(f"queued {daily.name} (task {result.id})")
