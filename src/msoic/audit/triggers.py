"""Are the append-only triggers of ``audit_auditevent`` (migrations 0006/0007) in place?

Someone with write access to the database can drop them and then delete or edit rows; the
seals and anchors detect what that changes, and :func:`missing_triggers` makes the dropped
guard itself visible to ``msoic audit verify`` and ``msoic check --database default`` (msoic.E202)."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder

TABLE = "audit_auditevent"
EXPECTED = {
    "sqlite": ("audit_auditevent_no_update", "audit_auditevent_no_delete"),
    "postgresql": ("audit_auditevent_append_only", "audit_auditevent_no_truncate"),
}
# The migration that creates them: before it is applied there is nothing to miss.
CREATED_BY = ("audit", "0006_append_only_triggers")


def triggers_expected(using: str = DEFAULT_DB_ALIAS) -> bool:
    """The audit table exists and the migration creating its triggers has been applied."""
    connection = connections[using]
    if connection.vendor not in EXPECTED:
        return False
    with connection.cursor() as cursor:
        if TABLE not in connection.introspection.table_names(cursor):
            return False
    return CREATED_BY in MigrationRecorder(connection).applied_migrations()


def missing_triggers(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The names of the expected triggers that are absent (or, on PostgreSQL, disabled)."""
    connection = connections[using]
    expected = EXPECTED.get(connection.vendor)
    if not expected:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [TABLE],
            )
        else:
            cursor.execute(
                "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE c.relname = %s AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
                "AND NOT t.tgisinternal AND t.tgenabled <> 'D'",
                [TABLE],
            )
        present = {name for (name,) in cursor.fetchall()}
    return [name for name in expected if name not in present]
