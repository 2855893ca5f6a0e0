"""The database's own guard on the audit table, and the one way past it.

Triggers (migration 0006) refuse UPDATE, DELETE and, on PostgreSQL, TRUNCATE of
``audit_auditevent``. The guard is lifted only by :func:`audit_maintenance`, for one
connection: on PostgreSQL it sets ``msoic.audit_maintenance = on`` and the trigger also
requires the table's owner role (the migration role), so the runtime role cannot lift it
even by setting the same variable; on SQLite it turns on a flag read by a function the
triggers call (SQLite has no roles: whoever holds the file holds the log, and the seals
and anchors are what detect a change there).

Used by ``msoic flush`` (pytest-django flushes the test database between transactional
tests) outside production, and by tests that play the attacker.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

SQLITE_FLAG = "msoic_audit_maintenance"


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: give each SQLite connection the function the
    triggers ask (0 unless :func:`audit_maintenance` is active on that connection)."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        SQLITE_FLAG, 0, lambda: 1 if getattr(connection, SQLITE_FLAG, False) else 0
    )


@contextmanager
def audit_maintenance(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Lift the append-only guard on one connection for the duration of the block."""
    connection = connections[using]
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET msoic.audit_maintenance = 'on'")
        try:
            yield
        finally:
            if not connection.needs_rollback and connection.is_usable():
                with connection.cursor() as cursor:
                    cursor.execute("RESET msoic.audit_maintenance")
    else:
        setattr(connection, SQLITE_FLAG, True)
        try:
            yield
        finally:
            setattr(connection, SQLITE_FLAG, False)


def keep_stored_row_on_raw_save(
    sender: Any, instance: Any, raw: bool, using: str, **kwargs: Any
) -> None:
    """``pre_save`` receiver for audit rows saved raw (Django restoring a serialized test
    database, ``loaddata``). Its serializer keeps times to the millisecond only, so saving
    a row that is already stored would change its time, and the triggers refuse that.
    When the stored row is the same sealed row (same id, sequence number and seal), write
    back exactly what is stored: the UPDATE then changes nothing, which the triggers allow.
    Anything else is saved as given, and refused if it changes a row."""
    if not raw or instance.pk is None:
        return
    stored = sender._default_manager.using(using).filter(pk=instance.pk).first()
    if stored is not None and stored.seq == instance.seq and stored.hash == instance.hash:
        for f in sender._meta.concrete_fields:
            setattr(instance, f.attname, getattr(stored, f.attname))
