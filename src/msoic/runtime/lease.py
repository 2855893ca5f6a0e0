"""Tasks left running by a worker that died go back on the queue.

django-tasks' database backend marks a task RUNNING when a worker claims it and finished
when the worker is done; a worker killed in between (SIGKILL, out of memory, the host
going down) leaves it RUNNING for ever, and the library has nothing to notice that. So each
``msoic worker`` keeps a heartbeat row (``WorkerHeartbeat``), renewed every few seconds by
a thread of its own, and a task's claim holds only while its worker's heartbeat is fresh:

- a worker starting puts back on the queue the tasks still marked as run by its own id:
  worker ids are unique in the pool, so their worker was this one's previous life (a
  supervisor restarting a killed worker under the same ``--worker-id``);
- every worker, at start and with each heartbeat, puts back the tasks whose worker has not
  been seen for the lease (``--lease``, default five minutes): a worker that died and did
  not come back.

A task put back runs again from the start, so tasks must be safe to run twice: an upload
job reads only the files it has not finished, and stores each file in one transaction
(msoic.collection.actions.run_import_job). A worker that cannot write its heartbeat for
longer than the lease (on SQLite, a write transaction held that long by the same database)
may see its task run a second time; that is why the lease is long.
"""

from __future__ import annotations

import datetime
import logging
import threading

from django.db import DatabaseError, connections
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from msoic.runtime.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

DEFAULT_LEASE = datetime.timedelta(minutes=5)
FORGET_AFTER = datetime.timedelta(days=1)


def beat(worker_id: str) -> None:
    """Say that ``worker_id`` is alive now."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"seen_at": timezone.now()}
    )


def requeue_abandoned(
    *, worker_id: str, lease: datetime.timedelta, starting: bool = False
) -> list[str]:
    """Put back on the queue the tasks left running by a worker that is gone; their ids.

    Gone: a worker not seen for ``lease`` (a claim younger than the lease is left alone,
    its worker may not have beaten yet), and, when ``starting``, this worker's own previous
    life. A task is put back by a conditional update on its claim, so a task claimed again
    in between is left to its new worker."""
    now = timezone.now()
    seen = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=now - lease).values_list("worker_id", flat=True)
    )
    if starting:
        seen.discard(worker_id)
        # Workers gone for a day are forgotten (each start with a random id adds a row).
        WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()
    else:
        seen.add(worker_id)
    requeued = []
    for task in DBTaskResult.objects.running().only("id", "worker_ids", "started_at"):
        last = task.worker_ids[-1] if task.worker_ids else None
        if last in seen:
            continue
        own_previous_life = starting and last == worker_id
        if not own_previous_life and task.started_at and task.started_at > now - lease:
            continue
        put_back = DBTaskResult.objects.filter(
            pk=task.pk, status=task.status, started_at=task.started_at
        ).update(status=TaskResultStatus.READY, run_after=now)
        if put_back:
            logger.warning(
                "task %s was left running by worker %s, which is gone: put back on the queue",
                task.pk,
                last,
            )
            requeued.append(str(task.pk))
    return requeued


class Heartbeat(threading.Thread):
    """The worker's heartbeat, on a thread (and database connection) of its own, so it goes
    on while the worker's main thread runs a long task; it also puts back other workers'
    abandoned tasks."""

    def __init__(self, worker_id: str, lease: datetime.timedelta) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.lease = lease
        self.every = min(30.0, lease.total_seconds() / 4)
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(self.every):
                try:
                    beat(self.worker_id)
                    requeue_abandoned(worker_id=self.worker_id, lease=self.lease)
                except DatabaseError as exc:  # the database busy or down: try next time
                    logger.warning("worker %s: heartbeat not written: %s", self.worker_id, exc)
                finally:
                    connections.close_all()
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopping.set()
