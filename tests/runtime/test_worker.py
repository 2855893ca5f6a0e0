"""``msoic worker`` as a real process: it runs an upload job queued by the web side, and two
workers sharing one queue run every job once. On PostgreSQL, the library's claim (``SELECT
... FOR UPDATE SKIP LOCKED``) is also shown directly: a task one worker holds is skipped by
the other. The daily anchor is a task the worker runs."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from django_tasks_db.models import DBTaskResult

from msoic.collection.actions import do_create_import_job
from msoic.collection.tasks import import_job_task
from msoic.runtime.backup import database_url
from tests.conftest import csv_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def month_file(month: int) -> tuple[str, bytes]:
    return (
        f"2023-{month:02d}.csv",
        csv_bytes([["kent", f"2023-{month:02d}", "ms_arrests", "", month, ""]]),
    )


class ChildDatabase:
    """The test database as a child process sees it: on SQLite a file copied from the
    in-memory test database (the online backup API), on PostgreSQL the test database."""

    def __init__(self, tmp_path: Path) -> None:
        self.path: Path | None = None
        if connection.vendor == "sqlite":
            self.path = tmp_path / "worker.sqlite3"
            connection.ensure_connection()
            copy = sqlite3.connect(self.path)
            connection.connection.backup(copy)
            copy.close()
            self.url = database_url({"ENGINE": "django.db.backends.sqlite3", "NAME": self.path})
        else:
            self.url = database_url(connection.settings_dict)

    def rows(self, sql: str) -> list[tuple]:
        if self.path is not None:
            with sqlite3.connect(self.path) as db:
                return db.execute(sql).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()


def start_worker(db: ChildDatabase, worker_id: str, *options: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": db.url}
    env.pop("MSOIC_RUN_JOBS_INLINE", None)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "msoic",
            "worker",
            "--batch",
            "--no-startup-delay",
            "--interval=0.1",
            f"--worker-id={worker_id}",
            *options,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(worker: subprocess.Popen) -> str:
    out, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0, out
    return out


def test_the_worker_process_runs_a_queued_upload_job(kent_user, tmp_path):
    job = do_create_import_job([month_file(5)], actor=kent_user)
    import_job_task.enqueue(job.pk)
    db = ChildDatabase(tmp_path)

    out = finish(start_worker(db, "worker-a"))

    assert "No more tasks to run" in out
    [(status, processed, summary)] = db.rows(
        f"SELECT status, processed_files, summary FROM collection_importjob WHERE id = {job.pk}"  # noqa: S608
    )
    summary = summary if isinstance(summary, dict) else json.loads(summary)
    assert (status, processed, summary["accepted"]) == ("done", 1, 1)
    [(task_status, worker_ids)] = db.rows(
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult"
    )
    worker_ids = worker_ids if isinstance(worker_ids, list) else json.loads(worker_ids)
    assert (task_status, worker_ids) == ("SUCCESSFUL", ["worker-a"])


def test_two_workers_share_the_queue_and_run_each_job_once(kent_user, tmp_path):
    jobs = [do_create_import_job([month_file(m)], actor=kent_user) for m in range(1, 13)]
    for job in jobs:
        import_job_task.enqueue(job.pk)
    db = ChildDatabase(tmp_path)

    workers = [start_worker(db, "worker-a"), start_worker(db, "worker-b")]
    for worker in workers:
        finish(worker)

    tasks = db.rows("SELECT status, worker_ids FROM django_tasks_database_dbtaskresult")
    claims = [w if isinstance(w, list) else json.loads(w) for _, w in tasks]
    assert len(tasks) == 12
    assert {status for status, _ in tasks} == {"SUCCESSFUL"}
    assert all(len(ids) == 1 for ids in claims)  # a claim appends its worker: never twice
    assert db.rows("SELECT status, COUNT(*) FROM collection_importjob GROUP BY status") == [
        ("done", 12)
    ]
    # Each month's file stored once, as version 1 of its return.
    assert db.rows("SELECT COUNT(*) FROM collection_storedfile") == [(12,)]
    assert db.rows("SELECT MAX(number), COUNT(*) FROM collection_submissionversion") == [(1, 12)]


def test_a_task_one_worker_holds_is_skipped_by_another(kent_user):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; on SQLite a worker takes a task exclusively")
    first, second = (do_create_import_job([month_file(m)], actor=kent_user) for m in (1, 2))
    import_job_task.enqueue(first.pk)
    import_job_task.enqueue(second.pk)
    held = threading.Event()
    release = threading.Event()
    seen: dict[str, object] = {}

    def other_worker() -> None:
        # A second worker's connection, holding its claim's row lock until told to let go.
        try:
            with transaction.atomic():
                task = DBTaskResult.objects.ready().get_locked()
                seen["other"] = task.args_kwargs["args"][0] if task else None
                held.set()
                release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert held.wait(30)
        with transaction.atomic():
            mine = DBTaskResult.objects.ready().get_locked()
            seen["mine"] = mine.args_kwargs["args"][0] if mine else None
    finally:
        release.set()
        thread.join(30)
    assert seen == {"other": first.pk, "mine": second.pk}


def test_the_worker_runs_the_daily_anchor(kent_user, tmp_path, settings):
    from django.core.management import call_command

    anchors = tmp_path / "anchors.jsonl"
    do_create_import_job([month_file(1)], actor=kent_user)  # an upload, audited
    call_command("enqueue_daily")
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "msoic.runtime.tasks.anchor_audit_head_task"
    db = ChildDatabase(tmp_path)
    env_anchor = {"MSOIC_AUDIT_ANCHOR_FILE": str(anchors)}
    worker = subprocess.run(
        [sys.executable, "-m", "msoic", "worker", "--batch", "--no-startup-delay"],
        env={**os.environ, "DATABASE_URL": db.url, **env_anchor},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert worker.returncode == 0, worker.stdout + worker.stderr
    [(status, value)] = db.rows(
        "SELECT status, return_value FROM django_tasks_database_dbtaskresult"
    )
    value = value if not isinstance(value, str) or not value.startswith('"') else json.loads(value)
    [(head,)] = db.rows("SELECT MAX(seq) FROM audit_auditevent")
    assert (status, value) == ("SUCCESSFUL", f"anchored row #{head}")
    assert json.loads(anchors.read_text().splitlines()[-1])["seq"] == head
