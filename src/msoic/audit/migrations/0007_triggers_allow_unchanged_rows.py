"""The append-only triggers let through an UPDATE that changes nothing (every column equal),
and still refuse any that changes a row. Django's test framework restores a transactional
test's database by saving each serialized row again (an UPDATE with the same values); that
writes nothing, so there is nothing to refuse.

On SQLite the compared columns are those of the table when this migration runs: a later
migration that adds a column remakes the table (dropping the triggers) and must create
them again with the new column list."""

from typing import Any

from django.db import migrations

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION msoic_audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;
    END IF;
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
"""
PG_PREVIOUS_FUNCTION = PG_FUNCTION.replace(
    """    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;
    END IF;
""",
    "",
)


def _sqlite_update_trigger(columns: list[str] | None) -> str:
    changed = ""
    if columns:
        changed = " AND (" + " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in columns) + ")"
    return f"""
    CREATE TRIGGER audit_auditevent_no_update
    BEFORE UPDATE ON audit_auditevent
    WHEN NOT msoic_audit_maintenance(){changed}
    BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE on audit_auditevent refused');
    END
    """


def _columns(apps: Any) -> list[str]:
    model = apps.get_model("audit", "AuditEvent")
    return [f.column for f in model._meta.concrete_fields]


def forwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_update", params=None)
        schema_editor.execute(_sqlite_update_trigger(_columns(apps)), params=None)


def backwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_PREVIOUS_FUNCTION, params=None)
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_update", params=None)
        schema_editor.execute(_sqlite_update_trigger(None), params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_append_only_triggers"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
