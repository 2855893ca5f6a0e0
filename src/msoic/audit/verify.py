"""Checking the audit log: every row's seal and link, from the first row to the head, and
optionally through anchors written outside the database (:mod:`msoic.audit.anchors`).

What each check catches:

- an edit: the row's MAC (or a legacy row's SHA-256) no longer matches its content;
- a removal or truncation: a sequence number is missing, or the head is beyond the last row,
  or an anchored row is gone;
- a rewrite by someone without the key: MACs cannot be recomputed (a wrong key fails the
  first row; rows re-written as unkeyed legacy rows after a sealed row, or a log holding
  only legacy rows, are refused; an invented key id cannot be proven);
- a rewrite by someone with the key: the rewritten rows no longer match the anchors;
- the append-only triggers dropped (or, on PostgreSQL, disabled).

The anchors are read from ``MSOIC_AUDIT_ANCHOR_FILE`` whenever that file exists, unless the
caller passes its own (or none, with ``use_anchors=False``). What cannot be detected from
inside the database: rows written after the last anchor can be removed, with the head set
back to match, by someone with write access to the database; the result says so
(``last_anchor_seq``), and the anchor interval bounds that window. An empty log is never
"proven": with anchors it fails, without it is not proven (``empty``).

Rows sealed with a key this process does not hold are checked for sequence and links only,
and the result says they are unproven, naming the key ids.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection

from msoic.audit.keys import Keyring, get_keyring
from msoic.audit.models import GENESIS_HASH, AuditEvent, AuditHead
from msoic.audit.triggers import missing_triggers, triggers_expected

if TYPE_CHECKING:
    from msoic.audit.anchors import Anchor

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class VerifyResult:
    """``ok``: no fault found. ``proven``: ok, and every row's seal was checked with its key
    (rows whose key is not configured here are ``unproven``)."""

    ok: bool
    checked: int
    bad_seq: int | None = None
    reason: str = ""
    legacy: int = 0
    unproven: int = 0
    missing_key_ids: list[str] = field(default_factory=list)
    anchors_checked: int = 0
    development_key: bool = False
    # Where the anchors came from ("" when none were checked), and the newest one's row.
    anchor_source: str = ""
    last_anchor_seq: int = 0
    anchors_skipped: bool = False

    @property
    def empty(self) -> bool:
        return self.ok and self.checked == 0

    @property
    def proven(self) -> bool:
        return self.ok and self.unproven == 0 and not self.empty

    @property
    def tail_unproven(self) -> str:
        """What the check cannot prove: removal of the newest rows (and the head set back)."""
        if self.last_anchor_seq:
            return (
                f"rows after #{self.last_anchor_seq} (the last anchor) are not proven against "
                "removal: someone with write access to the database could remove them"
            )
        return (
            "no anchors checked, so rows removed from the end of the log (with the head set "
            "back) cannot be detected"
        )


def default_anchors() -> tuple[list[Anchor], str]:
    """The anchors in ``MSOIC_AUDIT_ANCHOR_FILE`` when it exists, and its path (``[]`` and
    ``""`` when it does not). An unreadable or malformed file raises AnchorError."""
    from msoic.audit.anchors import anchor_file, read_anchors

    path = anchor_file()
    if not path.exists():
        return [], ""
    return read_anchors(path), str(path)


def verify_chain(
    batch: int = 5000,
    *,
    keyring: Keyring | None = None,
    anchors: Iterable[Anchor] | None = None,
    anchor_source: str = "",
    use_anchors: bool = True,
) -> VerifyResult:
    """Walk the chain from the first row; report the first row whose seal, link or anchor is
    wrong, or the missing triggers. ``anchors=None``: those of the configured anchor file
    when it exists (none with ``use_anchors=False``)."""
    from msoic.audit.anchors import AnchorError

    keyring = keyring or get_keyring()
    if not use_anchors:
        anchors = []
    elif anchors is None:
        try:
            anchors, anchor_source = default_anchors()
        except AnchorError as exc:
            return VerifyResult(False, 0, None, str(exc), development_key=keyring.is_development)
    by_seq = {a.seq: a for a in anchors}
    last_anchor_seq = max(by_seq, default=0)
    if triggers_expected(connection.alias):
        missing_guard = missing_triggers(connection.alias)
        if missing_guard:
            return VerifyResult(
                False,
                0,
                None,
                f"the append-only trigger(s) {', '.join(missing_guard)} on audit_auditevent "
                "are missing or disabled: someone with write access to the database removed "
                "the guard (rows may have been changed or removed)",
                development_key=keyring.is_development,
            )
    prev = GENESIS_HASH
    expected_seq = 1
    checked = legacy = unproven = anchors_checked = 0
    missing: set[str] = set()
    sealed_seen = False
    last_seq = 0

    def fail(seq: int, reason: str) -> VerifyResult:
        return VerifyResult(
            False,
            checked,
            seq,
            reason,
            legacy=legacy,
            unproven=unproven,
            missing_key_ids=sorted(missing),
            anchors_checked=anchors_checked,
            development_key=keyring.is_development,
            anchor_source=anchor_source,
            last_anchor_seq=last_anchor_seq,
            anchors_skipped=not use_anchors,
        )

    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:batch])
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq:
                if expected_seq in by_seq:
                    return fail(
                        expected_seq,
                        f"row {expected_seq} is missing, though it was anchored on "
                        f"{by_seq[expected_seq].anchored_at}",
                    )
                return fail(expected_seq, f"row {expected_seq} is missing")
            if row.prev_hash != prev:
                return fail(row.seq, "its link to the previous row is broken")
            if not row.key_id:
                if sealed_seen:
                    return fail(
                        row.seq,
                        "an unkeyed (legacy) row after sealed rows: rows were rewritten "
                        "without the key",
                    )
                if row.compute_hash() != row.hash:
                    return fail(row.seq, "its content does not match its hash")
                legacy += 1
            else:
                sealed_seen = True
                key = keyring.get(row.key_id)
                if key is None:
                    if not _HEX64.match(row.hash):
                        return fail(row.seq, "its MAC is not a MAC")
                    unproven += 1
                    missing.add(row.key_id)
                elif not hmac.compare_digest(key.mac(row.canonical()), row.hash):
                    return fail(
                        row.seq,
                        "its content does not match its MAC (the row was altered or "
                        f"rewritten, or the key configured as {row.key_id!r} is not the "
                        "one that sealed it)",
                    )
            anchor = by_seq.get(row.seq)
            if anchor is not None:
                if anchor.mac != row.hash or anchor.key_id != row.key_id:
                    return fail(
                        row.seq,
                        f"it differs from the anchor written on {anchor.anchored_at}: the log "
                        "was rewritten at or before this row",
                    )
                anchors_checked += 1
            prev = row.hash
            expected_seq += 1
            checked += 1
            last_seq = row.seq
    if legacy and not sealed_seen:
        return fail(
            last_seq + 1,
            "the log holds only unkeyed (legacy) rows, without the sealed row that closes "
            "them: it was rewritten without the key, or rows were removed",
        )
    beyond = sorted(seq for seq in by_seq if seq > last_seq)
    if beyond:
        anchor = by_seq[beyond[0]]
        return fail(
            last_seq + 1,
            f"rows from here were removed: the log ends at row {last_seq}, but row "
            f"{anchor.seq} was anchored on {anchor.anchored_at}"
            + (f" ({anchor_source})" if anchor_source else ""),
        )
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq > last_seq:
        return fail(last_seq + 1, "rows after this point were removed")
    if head is not None and last_seq and (head.last_seq != last_seq or head.last_hash != prev):
        return fail(last_seq, f"the chain's head (row {head.last_seq}) does not match the last row")
    return VerifyResult(
        True,
        checked,
        legacy=legacy,
        unproven=unproven,
        missing_key_ids=sorted(missing),
        anchors_checked=anchors_checked,
        development_key=keyring.is_development,
        anchor_source=anchor_source,
        last_anchor_seq=last_anchor_seq,
        anchors_skipped=not use_anchors,
    )
