"""Faults the service survives (issue 10, item 4), each shown happening:

- the same return uploaded twice at the same moment is stored as one version;
- the disk filling up while an upload is stored: the sender is told, nothing half-stored;
- a worker killed (SIGKILL) in the middle of an import: the job is taken up again and the
  file stored exactly once;
- PostgreSQL restarted while the app serves: requests fail cleanly while it is down and the
  app recovers by itself.

Report builds and record linkage runs do not exist yet; their interruption is for when they
do (docs/operations.md, "Faults")."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from msoic.accounts.models import ApiToken, TokenScope
from msoic.collection.actions import do_submit_return
from msoic.collection.models import StoredFile, Submission, SubmissionVersion
from msoic.runtime.backup import pg_environment
from tests.conftest import csv_bytes

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
        assert status in (500, 503), (status, body)
        assert json.loads(body)["error"]
        assert "Traceback" not in body and "psycopg" not in body and "OperationalError" not in body
    assert after_restart[0] == 200, after_restart
    assert back[0] == 200, back
    assert "ms_recorded_crimes" in back[1]
    assert "OperationalError" in errors  # the failures were logged on the server side
