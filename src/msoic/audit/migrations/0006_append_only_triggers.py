"""The database refuses to change or remove audit rows: UPDATE, DELETE and (PostgreSQL)
TRUNCATE of audit_auditevent raise an error, unless msoic.audit.maintenance lifts the guard
for one connection (PostgreSQL: `SET msoic.audit_maintenance = on` by the table's owner
role only, so the runtime role cannot lift it; SQLite: a per-connection flag).

SQLite drops a table's triggers when Django remakes the table (some AlterField/AddField):
a migration that does so must create these triggers again; tests/audit checks they exist."""

from typing import Any

from django.db import migrations

PG_CREATE = [
    """
    CREATE OR REPLACE FUNCTION msoic_audit_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('msoic.audit_maintenance', true) = 'on'
           AND pg_has_role(
               current_user,
               (SELECT relowner FROM pg_class WHERE oid = TG_RELID),
               'MEMBER'
           ) THEN
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'audit rows are never changed or removed (docs/deploy.md)';
    END;
    $$
    """,
    """
    CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION msoic_audit_refuse_change()
    """,
    """
    CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION msoic_audit_refuse_change()
    """,
]
PG_DROP = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS msoic_audit_refuse_change()",
]
SQLITE_CREATE = [
    f"""
    CREATE TRIGGER audit_auditevent_no_{verb.lower()}
    BEFORE {verb} ON audit_auditevent
    WHEN NOT msoic_audit_maintenance()
    BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only: {verb} on audit_auditevent refused');
    END
    """
    for verb in ("UPDATE", "DELETE")
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
]


def _run(schema_editor: Any, statements: dict[str, list[str]]) -> None:
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


def create_triggers(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"postgresql": PG_CREATE, "sqlite": SQLITE_CREATE})


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"postgresql": PG_DROP, "sqlite": SQLITE_DROP})


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_seal_legacy_rows"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
