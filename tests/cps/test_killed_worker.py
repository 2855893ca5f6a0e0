"""A linkage run whose worker process is killed (SIGKILL) while it stores the links: nothing
of that attempt is kept, and when the worker restarts (a supervisor, the same worker id)
its task is given back (msoic.runtime.lease) and finishes the run, the links stored once.
Also the run's heartbeat, which keeps a long run from counting as stuck. The rules of who
takes a run, on the database alone: tests/cps/test_restart.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from msoic.cps import actions
from msoic.cps.actions import do_import_extract, do_request_linkage, run_linkage
from msoic.cps.models import Link, LinkageRun, RunStatus
from msoic.cps.tasks import linkage_run_task
from tests.conftest import _make
from tests.cps.conftest import extract_csv, synthetic, write_register
from tests.runtime.test_worker import ChildDatabase, finish, start_worker

STALLED_WORKER = Path(__file__).with_name("stalled_linkage_worker.py")


def kill_worker_mid_store(db: ChildDatabase, tmp_path: Path) -> None:
    """Start a worker that stops inside the transaction storing the run's links, and
    SIGKILL it there."""
    marker = tmp_path / "stalled"
    env = {**os.environ, "DATABASE_URL": db.url}
    env.pop("MSOIC_RUN_JOBS_INLINE", None)
    worker = subprocess.Popen(
        [
            sys.executable,
            str(STALLED_WORKER),
            str(marker),
            "worker",
            "--no-startup-delay",
            "--interval=0.1",
            "--worker-id=worker-a",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 180
        while not marker.exists():
            assert worker.poll() is None, worker.communicate()[0]
            assert time.monotonic() < deadline, "the worker never reached the links"
            time.sleep(0.05)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.communicate(timeout=30)


def links(db: ChildDatabase) -> list[tuple[int, int, str]]:
    return sorted(db.rows("SELECT case_id, suspect_id, status FROM cps_link"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_whose_worker_was_killed_is_finished_once_when_the_worker_restarts(tmp_path):
    national = _make("cps.killed.national", "national", "national")
    data = synthetic(150, seed=11)
    write_register(data)
    assert do_import_extract("synthetic.csv", extract_csv(data.cases), actor=national).ok
    first, _ = do_request_linkage(actor=national)
    assert run_linkage(first.pk).status == RunStatus.DONE  # the links one run makes
    one_run = sorted(Link.objects.values_list("case_id", "suspect_id", "status"))
    run, _ = do_request_linkage(actor=national)
    task = linkage_run_task.enqueue(run.pk)
    db = ChildDatabase(tmp_path)

    kill_worker_mid_store(db, tmp_path)

    # Killed half way: the run left running under its task, nothing of the attempt kept
    # (the first run's links as they were), the task left running.
    assert db.rows(
        f"SELECT status, task_id, attempts FROM cps_linkagerun WHERE id = {run.pk}"  # noqa: S608
    ) == [("running", str(task.id), 1)]
    assert links(db) == one_run
    assert db.rows("SELECT status FROM django_tasks_database_dbtaskresult") == [("RUNNING",)]

    # The supervisor restarts the worker under the same id: its task is given back and
    # takes its own run up again (not stuck yet: it was heard from a moment ago).
    out = finish(start_worker(db, "worker-a"))

    assert "left running by a worker that is gone: queued again" in out
    [(status, attempts, automatic, clerical)] = db.rows(
        "SELECT status, attempts, automatic, clerical FROM cps_linkagerun "  # noqa: S608
        f"WHERE id = {run.pk}"
    )
    assert (status, attempts) == ("done", 2)
    assert links(db) == one_run  # replaced, not doubled
    assert len(one_run) == automatic + clerical
    assert db.rows(
        "SELECT COUNT(*) FROM audit_auditevent WHERE action = 'combination' "  # noqa: S608
        f"AND object_type = 'cps.linkagerun' AND object_id = '{run.pk}'"
    ) == [(1,)]
    [(task_status, worker_ids)] = db.rows(
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult"
    )
    worker_ids = worker_ids if isinstance(worker_ids, list) else json.loads(worker_ids)
    assert (task_status, worker_ids) == ("SUCCESSFUL", ["worker-a", "worker-a"])


def test_a_working_run_beats_and_its_heartbeat_stops_once_another_attempt_has_it(
    transactional_db, monkeypatch
):
    monkeypatch.setattr(actions, "HEARTBEAT_EVERY", timedelta(seconds=0.05))
    long_ago = timezone.now() - timedelta(hours=1)
    run = LinkageRun.objects.create(status=RunStatus.RUNNING, claim="mine", heartbeat_at=long_ago)
    assert run.is_stuck()
    beat = actions._Heartbeat(run.pk, "mine")
    beat.start()
    try:
        deadline = time.monotonic() + 10
        while LinkageRun.objects.get(pk=run.pk).heartbeat_at == long_ago:
            assert time.monotonic() < deadline, "no heartbeat written"
            time.sleep(0.05)
        assert not LinkageRun.objects.get(pk=run.pk).is_stuck()
        # Another attempt takes the run: this one's heartbeat ends by itself.
        LinkageRun.objects.filter(pk=run.pk).update(claim="theirs")
        beat.join(timeout=10)
        assert not beat.is_alive()
    finally:
        beat.stop()
