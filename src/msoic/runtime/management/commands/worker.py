"""``msoic worker``: run the tasks on the queue (upload jobs, the daily anchor) until stopped.

The library's database worker (django-tasks-db ``db_worker``) under the product's name, with
defaults for running it as a service: every queue, no code reloading. Several workers may
share one PostgreSQL database: each takes a task with ``SELECT ... FOR UPDATE SKIP LOCKED``
and marks it running in the same transaction, so no task runs twice. SIGTERM or Ctrl-C
lets the running task finish, then stops.
"""

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand


class Command(DatabaseWorkerCommand):
    help = "Run queued tasks (upload jobs, the daily audit anchor) until stopped."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)
