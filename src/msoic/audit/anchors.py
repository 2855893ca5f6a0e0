"""Anchors: the audit log's head (sequence number, MAC, key id, time) written from time to
time to a store outside the database, append-only. Someone who holds both the database and
the key can rewrite the log and recompute every MAC, but cannot change what was anchored:
``msoic audit verify --anchors FILE`` proves the chain still passes through every anchor.

The store is a file of JSON lines (``MSOIC_AUDIT_ANCHOR_FILE``), opened for appending only
and synced to disk after each line; docs/deploy.md says how to keep it on write-once
storage. The worker calls :func:`anchor_head` daily.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from msoic.audit.models import AuditEvent, AuditHead


class AnchorError(ValueError):
    """An anchor file cannot be read: the message names the file and line."""


@dataclass(frozen=True)
class Anchor:
    seq: int
    mac: str
    key_id: str
    row_at: str
    anchored_at: str

    def to_line(self) -> str:
        return json.dumps(
            {
                "seq": self.seq,
                "mac": self.mac,
                "key_id": self.key_id,
                "row_at": self.row_at,
                "anchored_at": self.anchored_at,
            },
            sort_keys=True,
        )


def anchor_file() -> Path:
    return Path(settings.MSOIC_AUDIT_ANCHOR_FILE)


def _append_line(path: Path, line: str) -> None:
    """Append one line and sync it (and, for a new file, its folder entry) to disk. The
    file is never opened for writing anywhere but at its end."""
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    if new:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def anchor_head(path: Path | None = None) -> Anchor | None:
    """Write the current head of the log to the anchor store and return it (None when the
    log is empty). Summaries of closed ``denied`` windows are written first, so the anchor
    covers them."""
    from msoic.audit.log import summarise_denied

    summarise_denied()
    with transaction.atomic():
        # The head's lock: no row is appended while we read the newest one.
        AuditHead.objects.select_for_update().filter(pk=1).first()
        row = AuditEvent.objects.order_by("-seq").first()
    if row is None:
        return None
    anchor = Anchor(
        seq=row.seq,
        mac=row.hash,
        key_id=row.key_id,
        row_at=row.at.isoformat(),
        anchored_at=timezone.now().isoformat(timespec="seconds"),
    )
    _append_line(path or anchor_file(), anchor.to_line())
    return anchor


def read_anchors(path: Path) -> list[Anchor]:
    """Every anchor in the file, oldest first; a malformed line is an error naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AnchorError(f"{path}: cannot read the anchor file ({exc.strerror or exc})") from exc
    anchors: list[Anchor] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            anchor = Anchor(
                seq=int(data["seq"]),
                mac=str(data["mac"]),
                key_id=str(data.get("key_id", "")),
                row_at=str(data.get("row_at", "")),
                anchored_at=str(data.get("anchored_at", "")),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise AnchorError(
                f"{path}, line {number}: not an anchor (expected JSON with seq and mac)"
            ) from exc
        if anchor.seq < 1:
            raise AnchorError(f"{path}, line {number}: seq must be 1 or more")
        anchors.append(anchor)
    seen: dict[int, Anchor] = {}
    for anchor in anchors:
        earlier = seen.get(anchor.seq)
        if earlier is not None and earlier.mac != anchor.mac:
            raise AnchorError(
                f"{path}: row {anchor.seq} was anchored twice with different MACs "
                f"({earlier.anchored_at} and {anchor.anchored_at}): the log was rewritten "
                "between them"
            )
        seen[anchor.seq] = anchor
    return anchors
