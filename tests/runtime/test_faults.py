"""Faults the service survives (issue 10, item 4), each shown happening:

- the same return uploaded twice at the same moment is stored as one version;
- the disk filling up while an upload is stored: the sender is told, nothing half-stored;
- a worker killed (SIGKILL) in the middle of an import: the job is taken up again and the
  file stored exactly once;
- PostgreSQL restarted while the app serves: requests fail cleanly while it is down and the
  app recovers by itself.

A report build or a record linkage run whose worker is killed is shown in its own app's tests
(tests/reports/test_restart.py, tests/cps/test_killed_worker.py; docs/operations.md,
"Faults")."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, close_old_connections, connection
from django.test import Client
from django.utils import timezone

from msoic.accounts.models import ApiToken, TokenScope
from msoic.collection.actions import (
    STORAGE_FULL,
    do_create_import_job,
    do_submit_return,
    run_import_job,
)
from msoic.collection.models import (
    ImportJob,
    StoredFile,
    Submission,
    SubmissionVersion,
    Value,
)
from msoic.collection.tasks import import_job_task
from msoic.runtime.backup import pg_environment
from tests.api.conftest import bearer
from tests.conftest import csv_bytes
from tests.runtime.test_worker import ChildDatabase, finish, month_file, start_worker

POSTGRES_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL pass)"
)


def kent_return(month: int, value: int = 7) -> bytes:
    return csv_bytes([["kent", f"2023-{month:02d}", "ms_arrests", "", value, ""]])


def at_once(*calls: Any) -> list[Any]:
    """Run each call on its own thread and connection, released together; their results
    (or the exception each raised), in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - the caller asserts on it
            results[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


# --- the same return twice at once ---------------------------------------------------


@POSTGRES_ONLY
def test_the_same_return_uploaded_twice_at_once_is_one_version(transactional_db, kent_user):
    data = kent_return(3)
    for _ in range(5):  # a race is a matter of luck: give it several chances
        outcomes = at_once(
            lambda: do_submit_return("kent-2023-03.csv", data, actor=kent_user),
            lambda: do_submit_return("kent-2023-03.csv", data, actor=kent_user),
        )
        statuses = sorted(getattr(o, "status", repr(o)) for o in outcomes)
        assert statuses in (["accepted", "unchanged"], ["unchanged", "unchanged"]), outcomes
    assert SubmissionVersion.objects.count() == 1
    assert StoredFile.objects.count() == 1
    assert Submission.objects.get().current_version.number == 1


# --- PostgreSQL restarted while the app serves -------------------------------------------


class ThrowawayPostgres:
    """A PostgreSQL server of the test's own (a cluster in a temporary folder, reached by a
    unix socket there), so it can be stopped and started without disturbing the server the
    rest of the suite uses. As root, the server runs as the ``postgres`` user."""

    def __init__(self, folder: Path) -> None:
        self.bin = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
        self.folder = folder
        self.data = folder / "data"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _server(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, str(self.bin / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            cwd=self.folder,
            timeout=120,
        )

    def create(self) -> None:
        if self.as_user:
            shutil.chown(self.folder, "postgres")
        self._server("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        options = f"-c listen_addresses='' -c unix_socket_directories={self.folder} -c fsync=off"
        self._server(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "log"),
            "-w",
            "-o",
            options,
            "start",
        )

    def stop(self) -> None:
        self._server("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def psql(self, *sql: str) -> None:
        args = [str(self.bin / "psql"), "-h", str(self.folder), "-U", "postgres", "-d", "postgres"]
        for statement in sql:
            args += ["-c", statement]
        subprocess.run([*args, "-v", "ON_ERROR_STOP=1", "-q"], check=True, capture_output=True)

    @property
    def url(self) -> str:
        return f"postgres://msoic@/msoic?host={self.folder}"


@pytest.fixture
def throwaway_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThrowawayPostgres]:
    if connection.vendor != "postgresql":
        pytest.skip("restarting PostgreSQL needs the PostgreSQL pass")
    folder = Path(tempfile.mkdtemp(prefix="msoic-faults-pg-", dir="/tmp"))
    server = ThrowawayPostgres(folder)
    if not (server.bin / "initdb").exists():
        pytest.skip(f"no PostgreSQL server programs in {server.bin}")
    try:
        server.create()
        server.start()
        yield server
    finally:
        if (server.data / "postmaster.pid").exists():
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def copy_test_database_to(server: ThrowawayPostgres, tmp_path: Path) -> None:
    """The test database (its tables and what the test has committed) into ``server``."""
    dump = tmp_path / "test.dump"
    env = {**os.environ, **pg_environment(connection.settings_dict)}
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump)], env=env, check=True)
    server.psql("CREATE ROLE msoic LOGIN", "CREATE DATABASE msoic OWNER msoic")
    subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "-h",
            str(server.folder),
            "-U",
            "msoic",
            "-d",
            "msoic",
            str(dump),
        ],
        check=True,
        capture_output=True,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, token: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_postgresql_restarted_while_the_app_serves(
    transactional_db, throwaway_postgres, national_analyst, tmp_path
):
    token, raw = ApiToken.issue(national_analyst, TokenScope.values)
    ApiToken.objects.filter(pk=token.pk).update(audited_at=timezone.now())
    copy_test_database_to(throwaway_postgres, tmp_path)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": throwaway_postgres.url, "MSOIC_DEBUG": "false"}
    # One gunicorn worker: the same process, and its one kept connection, serve every request.
    app = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "msoic.wsgi:application",
            "--workers=1",
            f"--bind=127.0.0.1:{port}",
            "--timeout=60",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/api/v1/metrics"
    try:
        for _ in range(100):  # gunicorn takes a moment to listen
            try:
                status, _ = get(url, raw)
                break
            except urllib.error.URLError:
                time.sleep(0.1)
        assert status == 200

        # A restart between two requests: the kept connection is dead. The health check
        # (CONN_HEALTH_CHECKS) finds it so and reconnects: the next request is answered.
        throwaway_postgres.stop()
        throwaway_postgres.start()
        after_restart = get(url, raw)
        # Down for a while: each request fails cleanly; once it is back, the app answers.
        throwaway_postgres.stop()
        down = [get(url, raw) for _ in range(3)]
        throwaway_postgres.start()
        back = get(url, raw)
        assert app.poll() is None  # the same app process throughout: not restarted
    finally:
        app.terminate()
        _, errors = app.communicate(timeout=30)

    for status, body in down:
        # A clean refusal: the JSON error of the API, no traceback or internal detail.
        assert status == 503, (status, body)  # the database, not the service, is down
        assert json.loads(body)["error"]
        assert "Traceback" not in body and "psycopg" not in body and "OperationalError" not in body
    assert after_restart[0] == 200, after_restart
    assert back[0] == 200, back
    assert "ms_recorded_crimes" in back[1]
    assert "OperationalError" in errors  # the failures were logged on the server side


# --- a worker killed in the middle of an import --------------------------------------------

STALLED_WORKER = Path(__file__).with_name("stalled_worker.py")


def kill_worker_mid_import(db: ChildDatabase, tmp_path: Path) -> None:
    """Start a worker that stops inside the transaction storing the file, and SIGKILL it
    there; check that nothing of the file was stored and the task is left running."""
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
            assert time.monotonic() < deadline, "the worker never reached the import"
            time.sleep(0.05)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.communicate(timeout=30)
    # Killed half way: nothing of the file stored, its task left running, the file marked
    # as being read.
    assert db.rows("SELECT COUNT(*) FROM collection_storedfile") == [(0,)]
    assert db.rows("SELECT COUNT(*) FROM collection_submissionversion") == [(0,)]
    assert db.rows("SELECT COUNT(*) FROM collection_value") == [(0,)]
    assert db.rows("SELECT status FROM django_tasks_database_dbtaskresult") == [("RUNNING",)]


def assert_stored_once(db: ChildDatabase, job_id: int, workers: list[str]) -> None:
    [(status, summary)] = db.rows(
        f"SELECT status, summary FROM collection_importjob WHERE id = {job_id}"  # noqa: S608
    )
    summary = summary if isinstance(summary, dict) else json.loads(summary)
    assert (status, summary["accepted"], summary["rejected"]) == ("done", 1, 0)
    assert db.rows("SELECT COUNT(*) FROM collection_storedfile") == [(1,)]
    assert db.rows("SELECT number FROM collection_submissionversion") == [(1,)]
    assert db.rows("SELECT value FROM collection_value WHERE is_current") == [(5,)]
    [(task_status, worker_ids)] = db.rows(
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult"
    )
    worker_ids = worker_ids if isinstance(worker_ids, list) else json.loads(worker_ids)
    assert (task_status, worker_ids) == ("SUCCESSFUL", workers)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_import_takes_the_job_up_again_when_restarted(kent_user, tmp_path):
    job = do_create_import_job([month_file(5)], actor=kent_user)
    import_job_task.enqueue(job.pk)
    db = ChildDatabase(tmp_path)
    kill_worker_mid_import(db, tmp_path)

    # The supervisor restarts it under the same id: it puts its task back and runs it.
    out = finish(start_worker(db, "worker-a"))

    assert "left running by a worker that is gone: queued again" in out
    assert_stored_once(db, job.pk, ["worker-a", "worker-a"])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_left_by_a_worker_that_never_comes_back_runs_after_the_lease(kent_user, tmp_path):
    job = do_create_import_job([month_file(5)], actor=kent_user)
    import_job_task.enqueue(job.pk)
    db = ChildDatabase(tmp_path)
    kill_worker_mid_import(db, tmp_path)

    # Another worker, within the dead worker's lease, leaves its task alone...
    out = finish(start_worker(db, "worker-b", "--lease=60"))
    assert "queued again" not in out
    assert db.rows("SELECT status FROM django_tasks_database_dbtaskresult") == [("RUNNING",)]
    # ...and once the lease has run out without a heartbeat, takes it up.
    time.sleep(1.5)
    out = finish(start_worker(db, "worker-b", "--lease=1"))

    assert "queued again" in out
    assert_stored_once(db, job.pk, ["worker-a", "worker-b"])


# --- the disk full while an upload is stored -------------------------------------------------


def disk_full(*args: Any, **kwargs: Any) -> Any:
    """What the database raises when its disk is full (PostgreSQL says "could not extend
    file", SQLite "database or disk is full"), with the system's ENOSPC as the cause."""
    cause = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    raise OperationalError(
        'could not extend file "base/16384/24576": No space left on device'
    ) from cause


@pytest.fixture(params=["the file's bytes", "its figures"])
def full_disk(request: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """The disk fills up while an upload is stored: at the file's bytes (the first write of
    the storing transaction) or at its figures (the last, after the return's submission and
    version rows). Returns the call that frees the space."""
    if request.param == "the file's bytes":
        monkeypatch.setattr(StoredFile, "save", disk_full)
    else:
        monkeypatch.setattr(Value.objects, "bulk_create", disk_full)
    return monkeypatch.undo


def nothing_stored() -> None:
    assert not Submission.objects.exists()
    assert not SubmissionVersion.objects.exists()
    assert not Value.objects.exists()
    assert not StoredFile.objects.exists()


def test_disk_full_during_a_web_upload_tells_the_sender_and_stores_nothing(
    client, kent_user, settings, full_disk
):
    settings.MSOIC_RUN_JOBS_INLINE = True  # the job runs in the request, as its last attempt
    client.force_login(kent_user)
    sent = client.post(
        "/returns/upload/",
        {"return_files": [SimpleUploadedFile("kent-2023-04.csv", kent_return(4))]},
    )
    job = ImportJob.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/returns/jobs/{job.pk}/"

    nothing_stored()
    assert job.status == ImportJob.Status.FAILED
    assert job.summary["error"] == STORAGE_FULL
    [f] = job.files.all()
    assert f.outcome["status"] == "rejected" and f.content == b""
    page = client.get(sent["Location"]).content.decode()
    assert "storage is full, so nothing of this file was stored" in page
    # Once space is freed, the same file sent again is stored, once.
    full_disk()
    client.post(
        "/returns/upload/",
        {"return_files": [SimpleUploadedFile("kent-2023-04.csv", kent_return(4))]},
    )
    assert SubmissionVersion.objects.get().number == 1
    assert StoredFile.objects.count() == 1


def test_disk_full_on_the_queue_puts_the_job_back_with_nothing_stored(kent_user, full_disk):
    """On the worker, a database error is tried again later (msoic.collection.tasks): the
    file goes back to waiting, nothing of it stored, and the next attempt stores it."""
    job = do_create_import_job([("kent-2023-04.csv", kent_return(4))], actor=kent_user)
    with pytest.raises(OperationalError):
        run_import_job(job.pk, final_attempt=False)
    nothing_stored()
    assert job.files.get().outcome is None  # waiting for the next attempt
    full_disk()
    assert run_import_job(job.pk).summary["accepted"] == 1
    assert (SubmissionVersion.objects.count(), StoredFile.objects.count()) == (1, 1)


def test_disk_full_during_an_api_upload_is_503_with_the_reason_and_stores_nothing(
    kent_user, full_disk
):
    api = Client(**bearer(kent_user))
    f = io.BytesIO(kent_return(4))
    f.name = "kent-2023-04.csv"
    response = api.post("/api/v1/returns", {"file": f})

    assert response.status_code == 503
    assert response.json()["error"] == (
        "the service's storage is full: nothing was stored; try again later"
    )
    assert response["Retry-After"]
    nothing_stored()
