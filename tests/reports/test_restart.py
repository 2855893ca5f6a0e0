"""A report build interrupted (its worker killed, issue 10 item 4) is built again when its
task is given back to the queue, and has one output: an interrupted build is redone from
the start, a finished one is left as it is, and of two attempts at once the first to finish
stores the output. The SIGKILL itself, with real worker processes, at the end."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from msoic.reports import actions
from msoic.reports.models import Build
from msoic.reports.tasks import build_report_task
from tests.reports.conftest import small_world, submit
from tests.runtime.test_worker import ChildDatabase, finish, start_worker

pytestmark = pytest.mark.django_db


def crimes_in(job: Build) -> int:
    data = json.loads(bytes(job.output))
    return next(f["value"] for f in data["figures"] if f["id"] == "crimes")


def test_a_build_interrupted_mid_way_is_built_again_by_its_task_with_one_output(personas):
    national = personas["national"]
    _, edition = small_world(national)
    job = actions.do_start_build(edition, "json", actor=national)
    # As a worker killed while asking the engine leaves it: running, step 1, no output.
    Build.objects.filter(pk=job.pk).update(
        status=Build.Status.RUNNING, steps_done=1, step="asking the metric engine for every figure"
    )

    said = build_report_task.call(job.pk)  # the task given back to the queue

    job.refresh_from_db()
    assert said == f"report build {job.pk}: done"
    assert (job.status, job.percent, job.figures, job.errors) == (Build.Status.DONE, 100, 3, [])
    assert job.filename == "small-FY2023-24.json" and crimes_in(job) == 20
    assert list(edition.builds.values_list("pk", flat=True)) == [job.pk]  # one build, one output


def test_a_finished_builds_task_given_back_leaves_its_output_as_it_is(personas):
    national = personas["national"]
    _, edition = small_world(national)
    job = actions.run_build(actions.do_start_build(edition, "json", actor=national).pk)
    output, finished_at = bytes(job.output), job.finished_at
    # A correction after the build: building again would say 21 crimes.
    submit(
        personas["kent"], [["kent", "2024-01", "ms_recorded_crimes", "", 15, "recount"]], "f.csv"
    )

    build_report_task.call(job.pk)  # the worker was killed before the queue heard it finished

    job.refresh_from_db()
    assert (bytes(job.output), job.finished_at) == (output, finished_at)
    assert crimes_in(job) == 20


def test_of_two_attempts_at_once_the_first_to_finish_stores_the_output(personas, monkeypatch):
    national = personas["national"]
    _, edition = small_world(national)
    job = actions.do_start_build(edition, "json", actor=national)
    real_render = actions.render.render

    def the_other_attempt_finishes_first(built: Any, fmt: str) -> bytes:
        drawn = real_render(built, fmt)
        Build.objects.filter(pk=job.pk).update(
            status=Build.Status.DONE, output=b'{"by": "the other attempt"}', step="finished"
        )
        return drawn

    monkeypatch.setattr(actions.render, "render", the_other_attempt_finishes_first)
    slow = actions.run_build(job.pk)

    assert slow.status == Build.Status.DONE
    assert bytes(slow.output) == b'{"by": "the other attempt"}'  # kept: not replaced
    # And an attempt starting after the build finished does not set it running again.
    monkeypatch.undo()
    assert actions.run_build(job.pk).status == Build.Status.DONE


# --- a real worker, killed --------------------------------------------------------------

STALLED_WORKER = Path(__file__).with_name("stalled_build_worker.py")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_build_whose_worker_was_killed_is_built_once_when_the_worker_restarts(personas, tmp_path):
    national = personas["national"]
    _, edition = small_world(national)
    job = actions.do_start_build(edition, "json", actor=national)  # queued for the worker
    db = ChildDatabase(tmp_path)
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
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert worker.poll() is None, worker.communicate()[0]
            assert time.monotonic() < deadline, "the worker never reached the drawing"
            time.sleep(0.05)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.communicate(timeout=30)
    query = f"SELECT status, steps_done, output IS NULL FROM reports_build WHERE id = {job.pk}"  # noqa: S608
    assert db.rows(query) == [("running", 3, True)]  # killed while drawing: no output

    out = finish(start_worker(db, "worker-a"))

    assert "left running by a worker that is gone: queued again" in out
    assert db.rows(query) == [("done", 4, False)]
    assert db.rows(f"SELECT COUNT(*) FROM reports_build WHERE edition_id = {edition.pk}") == [  # noqa: S608
        (1,)
    ]
    [(task_status, worker_ids)] = db.rows(
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult"
    )
    worker_ids = worker_ids if isinstance(worker_ids, list) else json.loads(worker_ids)
    assert (task_status, worker_ids) == ("SUCCESSFUL", ["worker-a", "worker-a"])
