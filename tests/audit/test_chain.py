"""The audit log is append-only and chained (each row sealed over the previous one);
`msoic audit verify` finds tampering."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from msoic.audit.keys import get_keyring
from msoic.audit.log import record, seal, verify_chain
from msoic.audit.models import AppendOnlyError, AuditEvent
from tests.audit.attacker import remove, tamper


@pytest.fixture
def three_rows(db, national_analyst):
    start = AuditEvent.objects.count()
    for i in range(3):
        record(
            actor=national_analyst,
            action="consultation",
            object_type="test",
            object_id=i,
            justification=f"reason {i}",
        )
    return AuditEvent.objects.filter(seq__gt=start).order_by("seq")


def test_rows_carry_actor_utc_time_and_link_to_the_previous_row(three_rows, national_analyst):
    rows = list(three_rows)
    assert [r.actor for r in rows] == [national_analyst] * 3
    assert all(r.at.utcoffset().total_seconds() == 0 for r in rows)
    assert rows[1].prev_hash == rows[0].hash and rows[2].prev_hash == rows[1].hash
    assert verify_chain().ok


def test_rows_cannot_be_changed_or_deleted_through_the_model(three_rows):
    row = three_rows.first()
    row.justification = "edited"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()


def test_verify_names_the_first_tampered_row(three_rows, capsys):
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out
    target = three_rows[1]
    tamper(target, justification="nothing to see")  # SQL, past save() and the triggers
    with pytest.raises(
        CommandError, match=f"first bad row is #{target.seq} \\(its content does not match its MAC"
    ):
        call_command("audit", "verify")


def test_verify_notices_a_deleted_row(three_rows):
    middle = three_rows[1]
    remove(middle)
    result = verify_chain()
    assert not result.ok and result.bad_seq == middle.seq and "missing" in result.reason


def test_verify_notices_the_newest_rows_removed(three_rows):
    last = three_rows.last()
    remove(last)
    result = verify_chain()
    assert not result.ok and result.bad_seq == last.seq


def test_verify_notices_a_rehashed_row(three_rows):
    """Recomputing a tampered row's own seal, even with the key, breaks the next row's link."""
    row = three_rows[0]
    row.justification = "forged"
    seal(row, get_keyring().current)
    tamper(row, justification="forged", hash=row.hash)
    result = verify_chain()
    assert not result.ok and result.bad_seq == three_rows[1].seq and "link" in result.reason


@pytest.mark.django_db(serialized_rollback=True)
def test_the_test_databases_copy_puts_the_migrations_rows_back_as_sealed():
    """What serialized rollback and tests/conftest.py put back after a transactional test's
    flush: the rows the migrations wrote, with the times their MACs seal (under xdist the
    tests of a file that run after another file's transactional tests verify this chain)."""
    from django.db import connection

    migrations_rows = AuditEvent.objects.count()
    assert migrations_rows and verify_chain().ok
    serialized = connection._test_serialized_contents
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    assert not AuditEvent.objects.exists()
    connection.creation.deserialize_db_from_string(serialized)
    assert AuditEvent.objects.count() == migrations_rows
    assert verify_chain().ok
