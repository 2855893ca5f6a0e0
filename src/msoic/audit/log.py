"""Writing the audit log. Actions call :func:`record` inside their transaction; the access
layer calls :func:`record_denied` for refused requests (rate limited per user).

Checking it is :mod:`msoic.audit.verify` (``verify_chain`` is re-exported here). A row's
action is an :class:`AuditAction` and its detail uses the keys of
:data:`msoic.audit.vocabulary.DETAIL_KEYS`; :func:`record` refuses anything else in
development and tests."""

from __future__ import annotations

import datetime
import logging
import os
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from msoic.audit.keys import AuditKey, get_keyring
from msoic.audit.models import AuditAction, AuditEvent, AuditHead, DeniedTally
from msoic.audit.verify import VerifyResult, verify_chain
from msoic.audit.vocabulary import unknown_detail_keys

logger = logging.getLogger(__name__)

__all__ = [
    "VerifyResult",
    "record",
    "record_denied",
    "seal",
    "summarise_denied",
    "verify_chain",
]


def seal(event: Any, key: AuditKey) -> None:
    """Give ``event`` (a model instance, or a migration's historical one) its key id and MAC."""
    from msoic.audit.models import canonical_form

    event.key_id = key.id
    event.hash = key.mac(canonical_form(event))


def _actor_label(actor: Any) -> tuple[bool, str]:
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    label = actor.get_username() if is_user else (actor if isinstance(actor, str) else "system")
    return is_user, label


def _strict() -> bool:
    """Development and tests (pytest names the running test in the environment) refuse a
    row outside the vocabulary; production writes it and logs a warning, since an audit
    row must never be lost to a wrong word."""
    return bool(settings.DEBUG) or "PYTEST_CURRENT_TEST" in os.environ


def vocabulary_problems(action: str, detail: dict[str, Any] | None) -> list[str]:
    """What in a row's action and detail is outside the audit vocabulary."""
    problems = []
    if action not in AuditAction.values:
        problems.append(f"action {action!r} is not an AuditAction")
    unknown = unknown_detail_keys(detail or {})
    if unknown:
        problems.append(f"detail keys {unknown} are not in msoic.audit.vocabulary.DETAIL_KEYS")
    return problems


def _release_head_before_flush() -> None:
    """On PostgreSQL, let the transaction that appends give up the chain's head as soon as
    its commit is written, and wait for the commit to reach the disk only then.

    The head's row lock is held from the append to the end of the commit, and a durable
    commit ends with a flush of the write-ahead log (an fsync: milliseconds on most disks).
    Every audited change waits for the head, so without this each waits for the previous
    one's flush too: one flush after another, never shared. So the transaction commits
    asynchronously (``SET LOCAL synchronous_commit TO OFF``: the commit returns, and its
    locks are released, once its record is in the log, before the flush) and, once it has
    committed, :func:`_wait_until_durable` waits for the flush with the session's own
    durability, before the caller goes on (and before a page answers). Nothing is
    acknowledged before it is on disk, and waiters share flushes.

    The chain stays whole after a crash: the log is replayed in order, and a transaction
    that appended after this one (it read this one's row) has its commit later in the log,
    so it can only survive a crash if this one does. What changes: for the time of one
    flush, other sessions can read a committed row that is not yet on disk (a crash then
    loses it as if it had rolled back, and the caller has had no answer). Anchoring takes
    the head's lock in a durable transaction of its own, so it never anchors such a row.
    A savepoint rolled back takes the setting with it, and the commit is then durable as
    before. SQLite is unchanged (one writer at a time)."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return
    if any(entry[1] is _wait_until_durable for entry in connection.run_on_commit):
        return  # set already by an earlier row of this transaction
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
    transaction.on_commit(_wait_until_durable)
    # First of the transaction's on-commit work: what runs after a commit (a job queued, a
    # message sent) still finds it on disk. (A test capturing on-commit work from a point
    # where some was already queued would see this move; fixtures' own audit rows usually
    # register the wait at the start of a test's transaction, before any capture.)
    connection.run_on_commit.insert(0, connection.run_on_commit.pop())


def _wait_until_durable() -> None:
    """Return once every commit so far is on disk (as durable as the session's
    ``synchronous_commit`` makes a commit). A transactional logical-decoding message is the
    smallest write PostgreSQL offers: its own commit waits for the log's flush up to it,
    which covers every commit before it. (A transaction that writes nothing, such as
    ``txid_current()``, commits without waiting.)"""
    with transaction.get_connection().cursor() as cursor:  # (autocommit: its own commit)
        cursor.execute("SELECT pg_logical_emit_message(true, 'msoic.audit', '')")


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
    problems = vocabulary_problems(action, detail)
    if problems:
        message = f"audit row for {object_type or obj!r}: " + "; ".join(problems)
        if _strict():
            raise ValueError(message)
        logger.warning(message)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    orgunit_code = orgunit if isinstance(orgunit, str) else getattr(orgunit, "code", "") or ""
    is_user, label = _actor_label(actor)
    key = get_keyring().current
    # No savepoint of its own inside the caller's transaction: on PostgreSQL each savepoint
    # is a subtransaction, and thousands of them in one transaction (the demo, a bulk action)
    # made every later read of the head row slower (6 ms a row after 3,000, against a flat
    # 2 ms without). A row that fails to append fails the caller's transaction with it,
    # which is what an audited action wants: the action is not kept without its row.
    with transaction.atomic(savepoint=False):
        _release_head_before_flush()
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
        seal(event, key)
        event.save()
        head.last_seq = event.seq
        head.last_hash = event.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return event


def _window_start(now: datetime.datetime) -> datetime.datetime:
    seconds = max(1, settings.MSOIC_AUDIT_DENIED_WINDOW_SECONDS)
    epoch = int(now.timestamp())
    return datetime.datetime.fromtimestamp(epoch - epoch % seconds, tz=datetime.UTC)


def record_denied(
    *,
    actor: Any,
    object_type: str = "",
    object_id: str | int = "",
    orgunit: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent | None:
    """A ``denied`` row for a refused request, at most ``MSOIC_AUDIT_DENIED_PER_WINDOW`` per
    user per window (``MSOIC_AUDIT_DENIED_WINDOW_SECONDS``); beyond that the refusals are
    counted, and one summary row says how many (and of what) once the window has closed.
    A scripted scan so stays visible without flooding the log. Returns the row written, or
    None when the refusal was only counted."""
    now = timezone.now()
    window = _window_start(now)
    is_user, label = _actor_label(actor)
    orgunit_code = orgunit if isinstance(orgunit, str) else getattr(orgunit, "code", "") or ""
    with transaction.atomic():
        summarise_denied(before=window)
        tally, _ = DeniedTally.objects.select_for_update().get_or_create(
            actor_label=label,
            window_start=window,
            defaults={"actor": actor if is_user else None, "orgunit_code": orgunit_code},
        )
        if tally.written < settings.MSOIC_AUDIT_DENIED_PER_WINDOW:
            tally.written += 1
            tally.save(update_fields=["written"])
            return record(
                actor=actor,
                action=AuditAction.DENIED,
                object_type=object_type,
                object_id=object_id,
                orgunit=orgunit_code,
                detail=detail,
            )
        tally.suppressed += 1
        by_type = dict(tally.suppressed_by_type)
        by_type[object_type] = by_type.get(object_type, 0) + 1
        tally.suppressed_by_type = by_type
        tally.save(update_fields=["suppressed", "suppressed_by_type"])
        return None


def summarise_denied(*, before: datetime.datetime | None = None) -> int:
    """Write one summary row per user for each closed window in which refusals went
    unlogged, and forget the closed windows. Called on each refusal, and by
    :func:`msoic.audit.anchors.anchor_head` (the daily worker) and ``msoic audit
    summarise-denied`` for quiet times. Returns the number of summary rows written."""
    if before is None:
        before = _window_start(timezone.now())
    seconds = settings.MSOIC_AUDIT_DENIED_WINDOW_SECONDS
    written = 0
    with transaction.atomic():
        closed = list(
            DeniedTally.objects.select_for_update()
            .filter(window_start__lt=before)
            .order_by("window_start", "actor_label")
        )
        for tally in closed:
            if tally.suppressed:  # (one query for the user: only for windows that overflowed)
                record(
                    actor=tally.actor or tally.actor_label,
                    action=AuditAction.DENIED,
                    object_type="audit.denied_summary",
                    orgunit=tally.orgunit_code,
                    detail={
                        "reason": "refusals beyond the per-user limit, counted not logged "
                        "one by one",
                        "suppressed": tally.suppressed,
                        "logged": tally.written,
                        "by_object_type": tally.suppressed_by_type,
                        "window_start": tally.window_start.isoformat(),
                        "window_end": (
                            tally.window_start + datetime.timedelta(seconds=seconds)
                        ).isoformat(),
                    },
                )
                written += 1
        DeniedTally.objects.filter(pk__in=[t.pk for t in closed]).delete()
    return written
