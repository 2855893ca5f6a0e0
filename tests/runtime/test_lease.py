"""Which tasks a worker puts back on the queue (msoic.runtime.lease): a task left running by
a worker that is gone, never one whose worker is alive or whose claim is younger than the
lease. The SIGKILL itself, with real worker processes, is in test_faults.py."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from msoic.collection.tasks import import_job_task
from msoic.runtime.lease import requeue_abandoned
from msoic.runtime.models import WorkerHeartbeat

LEASE = datetime.timedelta(seconds=60)


def running_task(worker: str, claimed_ago: int) -> DBTaskResult:
    result = import_job_task.enqueue(1)
    task = DBTaskResult.objects.get(pk=result.id)
    task.claim(worker)
    DBTaskResult.objects.filter(pk=task.pk).update(
        started_at=timezone.now() - datetime.timedelta(seconds=claimed_ago)
    )
    return task


def heartbeat(worker: str, seconds_ago: int) -> None:
    WorkerHeartbeat.objects.create(
        worker_id=worker, seen_at=timezone.now() - datetime.timedelta(seconds=seconds_ago)
    )


@pytest.mark.parametrize(
    ("case", "claimed_by", "claimed_ago", "its_heartbeat_ago", "me", "starting", "put_back"),
    [
        ("its worker beat just now", "w1", 600, 5, "w2", False, False),
        ("its worker silent past the lease", "w1", 600, 120, "w2", False, True),
        ("its worker never beat, claim past the lease", "w1", 600, None, "w2", False, True),
        ("its worker never beat, claim younger than the lease", "w1", 10, None, "w2", False, False),
        ("my own task while I run", "w1", 600, 120, "w1", False, False),
        ("my previous life's task, when I start", "w1", 10, 5, "w1", True, True),
        ("another live worker's task, when I start", "w1", 600, 5, "w2", True, False),
    ],
)
def test_a_task_is_put_back_only_when_its_worker_is_gone(
    db, case, claimed_by, claimed_ago, its_heartbeat_ago, me, starting, put_back
):
    task = running_task(claimed_by, claimed_ago)
    if its_heartbeat_ago is not None:
        heartbeat(claimed_by, its_heartbeat_ago)

    requeued = requeue_abandoned(worker_id=me, lease=LEASE, starting=starting)

    task.refresh_from_db()
    assert (requeued == [str(task.pk)]) is put_back, case
    assert task.status == ("READY" if put_back else "RUNNING"), case
    if put_back:  # ready to run now, and the next worker's claim is added to the history
        assert DBTaskResult.objects.ready().filter(pk=task.pk).exists()
        assert task.worker_ids == [claimed_by]


def test_workers_gone_for_a_day_are_forgotten_when_a_worker_starts(db):
    heartbeat("old", 2 * 24 * 3600)
    heartbeat("recent", 30)
    requeue_abandoned(worker_id="new", lease=LEASE, starting=True)
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {"recent"}
