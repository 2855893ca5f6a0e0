"""On PostgreSQL an audited transaction gives up the chain's head when its commit is written
and waits for the flush after (``msoic.audit.log._release_head_before_flush``): when the
block that appended returns, its commit is on disk; the setting is the transaction's only;
the flush is waited for once a transaction, before any other work queued for its commit;
rows appended by many connections at once still form one chain that verifies. On SQLite
nothing changes."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection, transaction

from msoic.audit.log import _wait_until_durable, record, verify_chain
from msoic.audit.models import AuditEvent

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's commit (PostgreSQL pass)"
)


@pytest.fixture(autouse=True)
def _durable_session():
    """The test suite's server runs with ``synchronous_commit=off`` (and no fsync) for
    speed, so a session there never waits for a flush: these tests set the durability a
    deployment has (``on``, PostgreSQL's default) for their session, and put it back."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO on")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET synchronous_commit")


def _row(n: int = 0) -> None:
    record(actor="test", action="consultation", object_type="test", object_id=n)


def _scalar(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return str(cursor.fetchone()[0])


def _flushed_past(lsn: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_flush_lsn() >= %s::pg_lsn", [lsn])
        return bool(cursor.fetchone()[0])


def _waits() -> int:
    return sum(1 for entry in connection.run_on_commit if entry[1] is _wait_until_durable)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_commit_is_on_disk_when_the_block_returns():
    before = _scalar("SHOW synchronous_commit")
    with transaction.atomic():
        _row()
        assert _scalar("SHOW synchronous_commit") == "off"
        written = _scalar("SELECT pg_current_wal_insert_lsn()")
    # The commit record comes after `written`; the flush wait covers it.
    assert _flushed_past(written)
    assert _scalar("SHOW synchronous_commit") == before  # SET LOCAL: this transaction only


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_row_outside_a_transaction_is_on_disk_when_record_returns():
    _row()
    assert _flushed_past(_scalar("SELECT pg_current_wal_insert_lsn()"))


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_one_wait_a_transaction_and_before_other_commit_work():
    seen: list[bool] = []
    with transaction.atomic():
        written = _scalar("SELECT pg_current_wal_insert_lsn()")
        transaction.on_commit(lambda: seen.append(_flushed_past(written)))
        _row(1)
        _row(2)
        _row(3)
        assert _waits() == 1
        assert connection.run_on_commit[0][1] is _wait_until_durable
    assert seen == [True]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_row_rolled_back_in_a_savepoint_leaves_a_durable_commit():
    with transaction.atomic():
        try:
            with transaction.atomic():
                _row(1)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        assert _waits() == 0
        assert _scalar("SHOW synchronous_commit") == "on"
        _row(2)  # a later row sets it again
        assert _waits() == 1 and _scalar("SHOW synchronous_commit") == "off"
    assert AuditEvent.objects.filter(object_type="test", object_id="1").count() == 0
    assert verify_chain().ok


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_rows_appended_at_once_form_one_chain():
    start = AuditEvent.objects.count()
    writers, rows_each = 12, 5
    barrier = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=10)
            for k in range(rows_each):
                with transaction.atomic():
                    _row(n * 100 + k)
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert len(seqs) == start + writers * rows_each
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    result = verify_chain()
    assert result.ok, result.reason


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite pass")
@pytest.mark.django_db(transaction=True)
def test_sqlite_commits_as_before():
    with transaction.atomic():
        _row()
        assert _waits() == 0
    assert verify_chain().ok
