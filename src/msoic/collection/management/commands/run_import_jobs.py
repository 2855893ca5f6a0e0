"""``msoic run_import_jobs``: finish upload jobs left waiting (e.g. after a restart)."""

from typing import Any

from django.core.management.base import BaseCommand

from msoic.collection.actions import run_import_job
from msoic.collection.models import ImportJob


class Command(BaseCommand):
    help = "Process upload jobs that are waiting or were interrupted."

    def handle(self, *args: Any, **options: Any) -> None:
        pending = ImportJob.objects.filter(
            status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING]
        )
        for job in pending.order_by("pk"):
            done = run_import_job(job.pk)
            self.stdout.write(f"job {done.pk}: {done.status} {done.summary}")
