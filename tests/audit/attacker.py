"""What someone with write access to the database can do to the audit log, played for real:
edit, remove and rewrite rows with SQL (past the append-only triggers, as the table's owner
would), recomputing the chain the way they believe it is computed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.db import transaction

from msoic.audit.keys import AuditKey, Keyring, development_key
from msoic.audit.maintenance import audit_maintenance
from msoic.audit.models import GENESIS_HASH, AuditEvent, AuditHead, canonical_form

ROW_FIELDS = ["actor_label", "actor_id", "object_id", "justification", "detail", "at"]


def keyring(current: AuditKey, *retired: AuditKey) -> Keyring:
    """A keyring that also holds the development key (rows the personas' creation wrote)."""
    from django.conf import settings

    return Keyring(current, (*retired, development_key(settings.SECRET_KEY)))


def key(key_id: str, fill: bytes) -> AuditKey:
    return AuditKey(key_id, fill * 32)


def tamper(row: AuditEvent, **changes: Any) -> None:
    """Change one row in place (an UPDATE), nothing else."""
    with audit_maintenance():
        AuditEvent.objects.filter(pk=row.pk).update(**changes)


def remove(*rows: AuditEvent) -> None:
    with audit_maintenance():
        AuditEvent.objects.filter(pk__in=[r.pk for r in rows]).delete()


def rewrite(
    change: Callable[[AuditEvent], None],
    *,
    seal_with: AuditKey | None,
    from_seq: int = 1,
    to_seq: int | None = None,
    key_id: str | None = None,
) -> int:
    """Apply ``change`` to every row from ``from_seq`` (to ``to_seq``), then recompute every seal and
    link from there and the head, as an attacker who knows the algorithm would:
    ``seal_with=None`` writes them as plain SHA-256 rows (no key id); a key writes HMACs
    with it, labelled ``key_id`` (default: the key's own id). Returns the rows rewritten."""
    rows = AuditEvent.objects.filter(seq__gte=from_seq).order_by("seq")
    if to_seq is not None:
        rows = rows.filter(seq__lte=to_seq)
    rows = list(rows)
    before = AuditEvent.objects.filter(seq=from_seq - 1).first()
    prev = before.hash if before else GENESIS_HASH
    with transaction.atomic(), audit_maintenance():
        for row in rows:
            change(row)
            row.prev_hash = prev
            if seal_with is None:
                row.key_id = ""
                row.hash = hashlib.sha256(canonical_form(row).encode()).hexdigest()
            else:
                row.key_id = key_id or seal_with.id
                row.hash = seal_with.mac(canonical_form(row))
            AuditEvent.objects.filter(pk=row.pk).update(
                prev_hash=row.prev_hash,
                hash=row.hash,
                key_id=row.key_id,
                **{f: getattr(row, f) for f in ROW_FIELDS},
            )
            prev = row.hash
        if rows and to_seq is None:
            AuditHead.objects.filter(pk=1).update(last_seq=rows[-1].seq, last_hash=prev)
    return len(rows)


def truncate_after(seq: int) -> None:
    """Remove every row after ``seq`` and move the head back, so the chain looks whole."""
    last = AuditEvent.objects.get(seq=seq)
    with transaction.atomic(), audit_maintenance():
        AuditEvent.objects.filter(seq__gt=seq).delete()
        AuditHead.objects.filter(pk=1).update(last_seq=seq, last_hash=last.hash)
