"""The database itself refuses to change or remove audit rows: UPDATE and DELETE on both
databases, TRUNCATE on PostgreSQL, by trigger. The only way past is the maintenance path
(the table's owner, one connection), which `msoic flush` uses outside production only."""

from __future__ import annotations

import pytest
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from msoic.audit.log import record, verify_chain
from msoic.audit.maintenance import audit_maintenance
from msoic.audit.models import AuditEvent

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's own triggers (PostgreSQL pass)"
)


@pytest.fixture
def row(db):
    return record(actor="tests", action="consultation", object_type="t", object_id=1)


def refused(sql: str, params: tuple = ()) -> str:
    """Run ``sql``; return the database's refusal (fails the test if it was allowed)."""
    with pytest.raises(DatabaseError) as raised, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    return str(raised.value)


# The transactional tests first: tests/conftest.py's teardown hook queries the database
# after a transactional test, which fails when that test is the session's last one (the
# test database is already gone).
def test_flush_empties_the_database_outside_production(transactional_db):
    """pytest-django flushes after every transactional test: the guard must let it."""
    row = record(actor="tests", action="consultation", object_type="t", object_id=2)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.filter(pk=row.pk).exists()


def test_flush_is_refused_in_production(transactional_db):
    row = record(actor="tests", action="consultation", object_type="t", object_id=3)
    # Not the `settings` fixture: it would still say production at the teardown's own flush.
    with override_settings(PRODUCTION=True), pytest.raises(CommandError, match="couldn't be"):
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert AuditEvent.objects.filter(pk=row.pk).exists()


def test_an_update_is_refused_by_the_database(row):
    message = refused("UPDATE audit_auditevent SET justification = 'x' WHERE id = %s", (row.pk,))
    assert "append-only" in message and "UPDATE" in message
    assert AuditEvent.objects.get(pk=row.pk).justification == ""


def test_a_delete_is_refused_by_the_database(row):
    message = refused("DELETE FROM audit_auditevent WHERE id = %s", (row.pk,))
    assert "append-only" in message and "DELETE" in message
    assert AuditEvent.objects.filter(pk=row.pk).exists()


def test_a_queryset_update_or_delete_is_refused_too(row):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).update(actor_label="someone else")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).delete()


@on_postgresql
def test_a_truncate_is_refused_on_postgresql(row):
    with connection.cursor() as cursor:  # PostgreSQL will not truncate with checks pending
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    message = refused("TRUNCATE audit_auditevent")
    assert "append-only" in message and "TRUNCATE" in message
    assert AuditEvent.objects.filter(pk=row.pk).exists()


@on_postgresql
def test_setting_the_maintenance_variable_lifts_the_guard_only_while_set(row):
    with audit_maintenance():
        AuditEvent.objects.filter(pk=row.pk).update(justification="maintenance")
    assert AuditEvent.objects.get(pk=row.pk).justification == "maintenance"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('msoic.audit_maintenance', true)")
        assert cursor.fetchone()[0] in ("", None)
    refused("UPDATE audit_auditevent SET justification = 'again' WHERE id = %s", (row.pk,))


def test_the_sqlite_triggers_exist(db):
    """SQLite drops a table's triggers when Django remakes it: a later migration on the audit
    table must create them again, and this test says so."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's triggers")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'audit_auditevent' ORDER BY name"
        )
        names = [r[0] for r in cursor.fetchall()]
    assert names == ["audit_auditevent_no_delete", "audit_auditevent_no_update"]


def test_restoring_a_stored_row_from_its_serialized_form_changes_nothing(row):
    """Django's serializer keeps milliseconds only; the stored row is written back as is."""
    data = serializers.serialize("json", AuditEvent.objects.filter(pk=row.pk))
    for restored in serializers.deserialize("json", data):
        restored.save()
    again = AuditEvent.objects.get(pk=row.pk)
    assert again.at == row.at and again.hash == row.hash and verify_chain().ok


def test_a_raw_save_of_a_different_row_under_a_stored_id_is_refused(row):
    forged = record(actor="tests", action="consultation", object_type="t", object_id=2)
    data = serializers.serialize("json", AuditEvent.objects.filter(pk=forged.pk))
    data = data.replace(f'"pk": {forged.pk}', f'"pk": {row.pk}')
    with pytest.raises(DatabaseError), transaction.atomic():
        for restored in serializers.deserialize("json", data):
            restored.save()
    assert AuditEvent.objects.get(pk=row.pk).hash == row.hash
