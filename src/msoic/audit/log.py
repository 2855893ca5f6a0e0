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
