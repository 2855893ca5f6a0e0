"""Upload jobs on the task queue (ADR 0012): an upload is queued, not run on a thread; the
library's worker loop runs it and the job page shows its progress; running a job again
stores nothing twice; a database error is retried later with a growing delay and the last
attempt fails the job with the reason; any other error fails the job at once and the
queue goes on to the next job."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from msoic.collection import actions
from msoic.collection.actions import do_create_import_job, run_import_job
from msoic.collection.models import ImportJob, StoredFile, SubmissionVersion
from msoic.collection.tasks import MAX_ATTEMPTS, import_job_task, retry_delay
from tests.conftest import csv_bytes

FEB = csv_bytes([["kent", "2024-02", "ms_arrests", "", 3, ""]])
MAR = csv_bytes([["kent", "2024-03", "ms_arrests", "", 4, ""]])


# The library's worker loop closes a connection that is not in autocommit mode, as a test's
# wrapping transaction is: tests that run it commit for real.
real_worker = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_queue() -> None:
    """The library's worker loop, in this process: every ready task, then stop."""
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def queued_for(job: ImportJob) -> list[DBTaskResult]:
    return [
        t
        for t in DBTaskResult.objects.order_by("enqueued_at")
        if t.task_path == "msoic.collection.tasks.import_job_task"
        and t.args_kwargs["args"][0] == job.pk
    ]


@real_worker
def test_an_upload_is_queued_and_the_worker_runs_it(
    client, kent_user, settings, django_capture_on_commit_callbacks
):
    settings.MSOIC_RUN_JOBS_INLINE = False
    client.force_login(kent_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/returns/upload/", {"return_files": [SimpleUploadedFile("feb.csv", FEB)]}
        )
    job = ImportJob.objects.get()
    assert response["Location"] == f"/returns/jobs/{job.pk}/"
    [queued] = queued_for(job)
    assert queued.status == "READY"
    waiting = client.get(f"/returns/jobs/{job.pk}/status.json").json()
    assert (waiting["status"], waiting["processed_files"], waiting["files"][0]["status"]) == (
        "pending",
        0,
        "waiting",
    )

    run_queue()

    done = client.get(f"/returns/jobs/{job.pk}/status.json").json()
    assert (done["status"], done["percent"], done["files"][0]["status"]) == (
        "done",
        100,
        "accepted",
    )
    queued.refresh_from_db()
    assert (queued.status, queued.worker_ids) == ("SUCCESSFUL", ["test-worker"])
    assert queued.return_value == f"job {job.pk}: done"


def test_a_job_run_again_stores_nothing_twice(kent_user):
    job = do_create_import_job([("feb.csv", FEB), ("mar.csv", MAR)], actor=kent_user)
    import_job_task.call(job.pk)
    assert StoredFile.objects.count() == 2 and SubmissionVersion.objects.count() == 2
    # As if a second copy of the task ran (a retry, a worker restarted by hand).
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    import_job_task.call(job.pk)
    assert StoredFile.objects.count() == 2 and SubmissionVersion.objects.count() == 2
    job.refresh_from_db()
    assert (job.status, job.summary["accepted"]) == ("done", 2)


def flaky_pipeline(monkeypatch, failures: int) -> list[str]:
    """The pipeline's database fails ``failures`` times (a server restarting), then works."""
    real = actions.import_file
    calls: list[str] = []

    def import_file(name, data, **kwargs):
        calls.append(name)
        if len(calls) <= failures:
            raise OperationalError("server closed the connection unexpectedly")
        return real(name, data, **kwargs)

    monkeypatch.setattr(actions, "import_file", import_file)
    return calls


@real_worker
def test_a_database_error_is_retried_later_and_the_file_read_once(kent_user, monkeypatch):
    calls = flaky_pipeline(monkeypatch, failures=1)
    job = do_create_import_job([("feb.csv", FEB)], actor=kent_user)
    before = timezone.now()
    assert "retried later" in import_job_task.call(job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING  # not failed: waiting for the next attempt
    assert job.files.get().outcome is None  # put back to waiting, not refused
    [retry] = queued_for(job)
    assert retry.args_kwargs["args"] == [job.pk, 2]
    assert retry.run_after >= before + retry_delay(1)
    assert not DBTaskResult.objects.ready().exists()  # not before its time

    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_queue()
    job.refresh_from_db()
    assert (job.status, job.summary["accepted"], calls) == ("done", 1, ["feb.csv", "feb.csv"])
    assert StoredFile.objects.count() == 1


def test_the_last_attempt_fails_the_job_with_the_reason(kent_user, monkeypatch):
    flaky_pipeline(monkeypatch, failures=99)
    job = do_create_import_job([("feb.csv", FEB)], actor=kent_user)
    assert import_job_task.call(job.pk, MAX_ATTEMPTS) == f"job {job.pk}: failed"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.summary["error"].startswith("the database kept failing (OperationalError")
    assert not queued_for(job)  # no attempt after the last


@real_worker
def test_a_failing_job_fails_with_its_reason_and_the_queue_goes_on(kent_user, monkeypatch):
    broken = do_create_import_job([("feb.csv", FEB)], actor=kent_user)
    fine = do_create_import_job([("mar.csv", MAR)], actor=kent_user)
    real = actions.build_context

    def build_context(actor):
        if ImportJob.objects.filter(pk=broken.pk, status="running").exists():
            raise ValueError("catalogue cannot be read: ms-monthly.yaml line 3")
        return real(actor)

    monkeypatch.setattr(actions, "build_context", build_context)
    import_job_task.enqueue(broken.pk)
    import_job_task.enqueue(fine.pk)
    run_queue()
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert broken.status == ImportJob.Status.FAILED
    assert broken.summary["error"] == "ValueError: catalogue cannot be read: ms-monthly.yaml line 3"
    assert (fine.status, fine.summary["accepted"]) == ("done", 1)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.parametrize(
    ("attempt", "seconds"),
    [(1, 5), (2, 10), (3, 20), (5, 80), (8, 600), (30, 600)],
)
def test_retry_delays_double_up_to_ten_minutes(attempt, seconds):
    assert retry_delay(attempt) == datetime.timedelta(seconds=seconds)


def test_inline_setting_runs_the_job_in_the_request(client, kent_user, settings):
    settings.MSOIC_RUN_JOBS_INLINE = True
    client.force_login(kent_user)
    client.post("/returns/upload/", {"return_files": [SimpleUploadedFile("feb.csv", FEB)]})
    assert ImportJob.objects.get().status == ImportJob.Status.DONE
    assert not DBTaskResult.objects.exists()


def test_leftover_jobs_still_resume_by_command(kent_user):
    from django.core.management import call_command

    job = do_create_import_job([("feb.csv", FEB)], actor=kent_user)
    call_command("run_import_jobs")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert run_import_job(job.pk).status == ImportJob.Status.DONE
