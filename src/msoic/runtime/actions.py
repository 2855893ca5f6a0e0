"""State changes of the runtime: a backup is a disclosure of every record, so it is audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.runtime.backup import make_backup


def do_make_backup(target: Path, *, actor: Any) -> dict[str, Any]:
    """Write a backup of the whole database to ``target`` and return its manifest.

    The DISCLOSURE row is written before the copy is taken, so the backup holds its own row
    and its manifest's audit head is that row (``backup check`` on the source still matches).
    A copy that then fails leaves the row saying a backup was begun, which is the truth."""
    record(
        actor=actor,
        action=AuditAction.DISCLOSURE,
        object_type="runtime.backup",
        recipient=str(target)[:200],
        detail={"step": "runtime.backup", "file": str(target)},
    )
    return make_backup(target)
