"""The append-only, hash-chained audit log (Data Protection Act 2018, Part 3, s.62)."""

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


class AuditEvent(models.Model):
    """One row of the log. Rows are never updated or deleted; each carries the hash of the
    previous row, so any edit breaks the chain from that row on."""

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
        payload: dict[str, Any] = {
            "seq": self.seq,
            "at": self.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
            "actor": self.actor_label,
            "actor_id": self.actor_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "orgunit": self.orgunit_code,
            "justification": self.justification,
            "recipient": self.recipient,
            "detail": self.detail,
            "prev": self.prev_hash,
        }
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical().encode("utf-8")).hexdigest()


class AuditHead(models.Model):
    """A single row locked while appending, so two writers cannot fork the chain."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"audit head at #{self.last_seq}"
