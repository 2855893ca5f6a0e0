"""The pseudonymous attendee key: HMAC-SHA256 of a normalised work email.

"People trained" counts distinct people across sessions, so each attendance keeps a key
that is the same for the same person every time and says nothing about them to anyone
without the secret: ``HMAC-SHA256(MSOIC_ATTENDEE_KEY, normalised email)``. The email is
not stored. The secret is ``settings.MSOIC_ATTENDEE_KEY`` (from the environment); outside
production a missing one is replaced by a development key derived from ``SECRET_KEY`` with a
warning (as the audit log's, :mod:`msoic.audit.keys`); ``check --deploy`` refuses that
(``msoic.E401``, :mod:`msoic.capability.checks`) and production refuses to key an attendee
without it. Changing the key after attendance is recorded splits every person in two:
it is set once and kept.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger("msoic.capability")

MIN_KEY_CHARS = 32
_warned = False


def development_secret(secret_key: str) -> bytes:
    """A secret derived from SECRET_KEY, for the demo and tests only."""
    return hmac.new(
        secret_key.encode("utf-8"), b"msoic attendee key development secret", hashlib.sha256
    ).digest()


def is_development() -> bool:
    """No attendee key of its own is configured (the development one is used)."""
    return not getattr(settings, "MSOIC_ATTENDEE_KEY", "")


def attendee_secret() -> bytes:
    """The configured secret (read at each call, so tests can change the settings)."""
    global _warned
    configured: str = getattr(settings, "MSOIC_ATTENDEE_KEY", "")
    if configured:
        if len(configured) < MIN_KEY_CHARS:
            raise ImproperlyConfigured(
                f"MSOIC_ATTENDEE_KEY is {len(configured)} characters; at least "
                f"{MIN_KEY_CHARS} are needed (a long random secret)"
            )
        return configured.encode("utf-8")
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured(
            "MSOIC_ATTENDEE_KEY is required when MSOIC_PRODUCTION is true: it keys attendees "
            "of training so that they are counted once without storing their email"
        )
    if not _warned:
        _warned = True
        logger.warning(
            "training: MSOIC_ATTENDEE_KEY is not set, so attendee keys use a development key "
            "derived from SECRET_KEY; fine for the demo and tests, never for real data"
        )
    return development_secret(settings.SECRET_KEY)


def normalise_email(email: str) -> str:
    """The form of a work email that the key is taken over: trimmed and lower-cased
    (work addresses are not case-sensitive in practice)."""
    return email.strip().lower()


def attendee_key(email: str, secret: bytes | None = None) -> str:
    """The attendee's key: 64 hexadecimal characters."""
    message = normalise_email(email).encode("utf-8")
    return hmac.new(secret or attendee_secret(), message, hashlib.sha256).hexdigest()
