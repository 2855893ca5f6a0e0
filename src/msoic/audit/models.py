"""The append-only, sealed audit log (Data Protection Act 2018, Part 3, s.62).

Each row is sealed with an HMAC-SHA256 (key outside the database, :mod:`msoic.audit.keys`)
over its canonical form, which includes the previous row's MAC: an edit, a removal or a
rewrite by someone without the key breaks the chain. Rows written before sealing existed
(``key_id`` empty) carry a plain SHA-256 and form a frozen "legacy" prefix, closed by the
first sealed row (migration 0005)."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    COLLECTION = "collection", "Collection"
    ALTERATION = "alteration", "Alteration"
    CONSULTATION = "consultation", "Consultation"
    DISCLOSURE = "disclosure", "Disclosure"
    COMBINATION = "combination", "Combination"
    ERASURE = "erasure", "Erasure"
    APPROVE = "approve", "Approve"
    LOCK = "lock", "Lock"
    UNLOCK = "unlock", "Unlock"
    REJECT = "reject", "Rejected input"
    DENIED = "denied", "Access refused"
    LOGIN = "login", "Log in"
    LOGOUT = "logout", "Log out"
    LOGIN_FAILED = "login_failed", "Failed log in"
    MFA = "mfa", "Multi-factor authentication"
    TOKEN = "token", "API token"
    ADMIN = "admin", "Administration"


GENESIS_HASH = "0" * 64


class AppendOnlyError(RuntimeError):
    pass


def canonical_form(row: Any) -> str:
    """The text a row's seal covers. A plain function of the row's fields, so migrations can
    seal rows of their historical model. Legacy rows (no key id) keep the form they were
    hashed with; sealed rows add their key id, so it cannot be swapped."""
    payload: dict[str, Any] = {
        "seq": row.seq,
        "at": row.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "actor": row.actor_label,
        "actor_id": row.actor_id,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "orgunit": row.orgunit_code,
        "justification": row.justification,
        "recipient": row.recipient,
        "detail": row.detail,
        "prev": row.prev_hash,
    }
    if row.key_id:
        payload["key"] = row.key_id
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)


class AuditEvent(models.Model):
    """One row of the log. Rows are never updated or deleted (the model refuses, and the
    database's triggers too); each is sealed over the previous row's seal, so any edit
    breaks the chain from that row on. ``hash`` holds the seal: the HMAC-SHA256 with key
    ``key_id``, or for legacy rows (``key_id`` empty) a plain SHA-256."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    orgunit_code = models.CharField(max_length=64, blank=True, db_index=True)
    justification = models.TextField(blank=True)
    recipient = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["action", "at"])]

    def __str__(self) -> str:
        return (
            f"#{self.seq} {self.action} {self.object_type}:{self.object_id} by {self.actor_label}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("audit rows cannot be deleted")

    def canonical(self) -> str:
        return canonical_form(self)

    def compute_hash(self) -> str:
        """The plain SHA-256 of a legacy row (no key id)."""
        return hashlib.sha256(self.canonical().encode("utf-8")).hexdigest()


class AuditHead(models.Model):
    """A single row locked while appending, so two writers cannot fork the chain."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"audit head at #{self.last_seq}"


class DeniedTally(models.Model):
    """Refused requests counted per user and time window, so that a scripted scan writes at
    most ``MSOIC_AUDIT_DENIED_PER_WINDOW`` ``denied`` rows per window, and one summary row
    with the count of the others when the window has closed (:func:`msoic.audit.log.
    record_denied`). Not part of the log: closed windows are deleted once summarised."""

    actor_label = models.CharField(max_length=150)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    orgunit_code = models.CharField(max_length=64, blank=True)
    window_start = models.DateTimeField()
    written = models.PositiveIntegerField(default=0)
    suppressed = models.PositiveIntegerField(default=0)
    suppressed_by_type = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["actor_label", "window_start"], name="audit_denied_tally_once"
            )
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.actor_label} from {self.window_start}: {self.written}+{self.suppressed}"
