"""The whole demo (``msoic demo``), built once per test session and put into the test database
by the modules that read it, on SQLite (the pass that runs the browser tests and the annual
report's build): the home pages' browser test, the national dashboard's browser test and the
annual report's build each built it (or most of it) again, about 110 s of the SQLite pass
between them, against one build of about 55 s.

SQLite's backup API copies a whole database in a fraction of a second: the session fixture
builds the demo in the test database, copies it to a database in memory and puts back what
was there before; ``demo_loaded(snapshot)`` copies the demo in for a block and what was
there before back after it, so the modules before and after see the database as they
would without it (the same rows, keys and audit chain); ``load_demo(snapshot)`` copies it
in for a transactional test, whose teardown empties the database in any case."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest


def _raw_connection() -> sqlite3.Connection:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the shared demo snapshot is for the SQLite pass")
    if connection.in_atomic_block:
        raise RuntimeError("copy a database in or out outside any transaction")
    connection.ensure_connection()
    raw = connection.connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def _copy(source: sqlite3.Connection) -> sqlite3.Connection:
    target = sqlite3.connect(":memory:", check_same_thread=False)
    source.backup(target)
    return target


@contextmanager
def _put_back() -> Iterator[sqlite3.Connection]:
    """The test database: what it holds now is put back when the block ends."""
    raw = _raw_connection()
    before = _copy(raw)
    try:
        yield raw
    finally:
        before.backup(raw)
        before.close()


def load_demo(snapshot: sqlite3.Connection) -> None:
    """Copy the demo into the test database, for a transactional test (a live server's),
    whose teardown empties the database and puts the migrations' rows back anyway. It
    replaces the whole database: make the rows a test wants besides (a persona) after it."""
    snapshot.backup(_raw_connection())


@contextmanager
def demo_loaded(snapshot: sqlite3.Connection) -> Iterator[None]:
    """The test database holds the demo inside the block, and what it held before after it
    (for a module's data; enter it outside the module's transaction)."""
    with _put_back() as raw:
        snapshot.backup(raw)
        yield


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup: Any, django_db_blocker: Any) -> Iterator[sqlite3.Connection]:
    """The whole demo as ``msoic demo`` builds it, in a database in memory (SQLite only)."""
    from django.core.management import call_command

    from tests.conftest import fast_hashers

    with django_db_blocker.unblock(), _put_back() as raw, fast_hashers():
        call_command("demo", stdout=io.StringIO())
        snapshot = _copy(raw)
    yield snapshot
    snapshot.close()
