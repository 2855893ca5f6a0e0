"""``msoic worker``: run the tasks on the queue (upload jobs, the daily anchor) until stopped.

The library's database worker (django-tasks-db ``db_worker``) under the product's name, with
defaults for running it as a service: every queue, no code reloading. Several workers may
share one PostgreSQL database: each takes a task with ``SELECT ... FOR UPDATE SKIP LOCKED``
and marks it running in the same transaction, so no task runs twice. SIGTERM or Ctrl-C
lets the running task finish, then stops.

What the library lacks, a lease (msoic.runtime.lease): the worker keeps a heartbeat, and a
task left running by a worker that died (SIGKILL, out of memory) goes back on the queue,
at once when a worker restarts under the same ``--worker-id``, else after ``--lease``
seconds without a heartbeat. Give each worker a stable id that is unique in the pool (for
example the host name and the systemd instance) so a restart takes back what it left.
"""

import datetime
from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from msoic.runtime.lease import DEFAULT_LEASE, Heartbeat, beat, requeue_abandoned


class Command(DatabaseWorkerCommand):
    help = "Run queued tasks (upload jobs, the daily audit anchor) until stopped."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)
        parser.add_argument(
            "--lease",
            type=float,
            default=DEFAULT_LEASE.total_seconds(),
            help="seconds without a heartbeat after which a worker's running task is put "
            "back on the queue (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"]
        lease = datetime.timedelta(seconds=options.pop("lease"))
        beat(worker_id)
        for task_id in requeue_abandoned(worker_id=worker_id, lease=lease, starting=True):
            self.stdout.write(f"task {task_id} left running by a worker that is gone: queued again")
        heartbeat = Heartbeat(worker_id, lease)
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
