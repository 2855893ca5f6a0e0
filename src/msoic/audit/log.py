"""Writing and verifying the audit log. Actions call :func:`record` inside their transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from msoic.audit.models import GENESIS_HASH, AuditEvent, AuditHead


def record(
    *,
    actor: Any,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    orgunit: Any = None,
    justification: str = "",
    recipient: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one row. Runs in (or opens) a transaction and locks the chain head."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    orgunit_code = orgunit if isinstance(orgunit, str) else getattr(orgunit, "code", "") or ""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    label = actor.get_username() if is_user else (actor if isinstance(actor, str) else "system")
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            seq=head.last_seq + 1,
            at=timezone.now(),
            actor=actor if is_user else None,
            actor_label=label,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            orgunit_code=orgunit_code,
            justification=justification,
            recipient=recipient,
            detail=detail or {},
            prev_hash=head.last_hash,
        )
        event.hash = event.compute_hash()
        event.save()
        head.last_seq = event.seq
        head.last_hash = event.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return event


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    bad_seq: int | None = None
    reason: str = ""


def verify_chain(batch: int = 5000) -> VerifyResult:
    """Walk the chain from the first row; report the first row whose hash or link is wrong."""
    prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:batch])
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq:
                return VerifyResult(False, checked, expected_seq, f"row {expected_seq} is missing")
            if row.prev_hash != prev:
                return VerifyResult(
                    False, checked, row.seq, "its link to the previous row is broken"
                )
            if row.compute_hash() != row.hash:
                return VerifyResult(False, checked, row.seq, "its content does not match its hash")
            prev = row.hash
            expected_seq += 1
            checked += 1
            last_seq = row.seq
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq != last_seq:
        return VerifyResult(False, checked, last_seq + 1, "rows after this point were removed")
    return VerifyResult(True, checked)
