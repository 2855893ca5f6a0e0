"""Close the legacy segment: rows written before sealing (plain SHA-256, no key id) stay as
they are, evidence untouched, and one sealed row is appended after them. Its MAC covers the
last legacy row's hash, so the legacy rows cannot be rewritten without the key either, and
`verify` refuses unkeyed rows after it (or a log of unkeyed rows only). A database with no
rows yet writes nothing."""

from typing import Any

from django.db import migrations
from django.utils import timezone


def seal_legacy_rows(apps: Any, schema_editor: Any) -> None:
    from msoic.audit.keys import get_keyring
    from msoic.audit.log import seal

    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditHead = apps.get_model("audit", "AuditHead")
    db = schema_editor.connection.alias
    last = AuditEvent.objects.using(db).order_by("-seq").first()
    if last is None or last.key_id:
        return
    head, _ = AuditHead.objects.using(db).get_or_create(pk=1)
    legacy_rows = AuditEvent.objects.using(db).filter(key_id="").count()
    event = AuditEvent(
        seq=last.seq + 1,
        at=timezone.now(),
        actor=None,
        actor_label="system",
        action="admin",
        object_type="audit.log",
        object_id="",
        orgunit_code="",
        justification="",
        recipient="",
        detail={
            "step": "audit.seal_legacy_rows",
            "legacy_rows": legacy_rows,
            "legacy_last_seq": last.seq,
            "legacy_last_hash": last.hash,
        },
        prev_hash=last.hash,
    )
    seal(event, get_keyring().current)
    event.save(using=db)
    head.last_seq = event.seq
    head.last_hash = event.hash
    head.save(using=db, update_fields=["last_seq", "last_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_auditevent_key_id_deniedtally"),
    ]

    operations = [
        migrations.RunPython(seal_legacy_rows, migrations.RunPython.noop, elidable=False),
    ]
