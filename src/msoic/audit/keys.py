"""The keys that seal the audit log (HMAC-SHA256), read from the environment, never stored
in the database: whoever can write to the database but does not hold the key cannot forge
a row's MAC.

``MSOIC_AUDIT_KEY=<id>:<base64>`` is the current key: it seals new rows, and each row keeps
its key id. Rotating means moving the current key to ``MSOIC_AUDIT_RETIRED_KEYS``
(``<id>:<base64>,<id>:<base64>``, verification only) and setting a new current key; old
rows still verify with their own key. Outside production a missing key is replaced by a
development key derived from ``SECRET_KEY`` (id ``dev``), with a warning; in production a
missing key stops the application at start.

This module is imported by the settings, so it uses only the standard library and
:mod:`msoic.env`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass, field

from msoic.env import ConfigError, env_list, env_str

logger = logging.getLogger("msoic.audit")

DEV_KEY_ID = "dev"
MIN_KEY_BYTES = 32
_KEY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


@dataclass(frozen=True)
class AuditKey:
    id: str
    secret: bytes = field(repr=False)

    def mac(self, message: str) -> str:
        return hmac.new(self.secret, message.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Keyring:
    """The current key (seals new rows) and the retired ones (verify old rows only)."""

    current: AuditKey
    retired: tuple[AuditKey, ...] = ()

    def get(self, key_id: str) -> AuditKey | None:
        for key in (self.current, *self.retired):
            if key.id == key_id:
                return key
        return None

    @property
    def ids(self) -> list[str]:
        return [self.current.id, *(k.id for k in self.retired)]

    @property
    def is_development(self) -> bool:
        return self.current.id == DEV_KEY_ID


def parse_key(text: str, setting: str) -> AuditKey:
    """``<id>:<base64 of at least 32 bytes>``; the error names the setting, never the key."""
    key_id, sep, encoded = text.strip().partition(":")
    if not sep or not encoded:
        raise ConfigError(f"{setting}: a key is written <id>:<base64>, e.g. 2026-12:…")
    if not _KEY_ID.match(key_id):
        raise ConfigError(
            f"{setting}: key id {key_id!r} must be 1 to 32 letters, digits, '.', '_' or '-'"
        )
    try:
        secret = base64.b64decode(
            encoded.replace("-", "+").replace("_", "/") + "=" * (-len(encoded) % 4),
            validate=True,
        )
    except (binascii.Error, ValueError) as exc:
        raise ConfigError(f"{setting}: the key with id {key_id!r} is not valid base64") from exc
    if len(secret) < MIN_KEY_BYTES:
        raise ConfigError(
            f"{setting}: the key with id {key_id!r} is {len(secret)} bytes; "
            f"at least {MIN_KEY_BYTES} are needed (msoic audit new-key makes one)"
        )
    return AuditKey(key_id, secret)


def development_key(secret_key: str) -> AuditKey:
    """A key derived from SECRET_KEY, for the demo and tests only."""
    derived = hmac.new(
        secret_key.encode("utf-8"), b"msoic audit log development key", hashlib.sha256
    ).digest()
    return AuditKey(DEV_KEY_ID, derived)


def keyring_from_env(*, production: bool, secret_key: str) -> Keyring:
    current_text = env_str("MSOIC_AUDIT_KEY", "")
    retired = tuple(
        parse_key(part, "MSOIC_AUDIT_RETIRED_KEYS")
        for part in env_list("MSOIC_AUDIT_RETIRED_KEYS", [])
    )
    if current_text:
        current = parse_key(current_text, "MSOIC_AUDIT_KEY")
    elif production:
        raise ConfigError(
            "MSOIC_AUDIT_KEY is required when MSOIC_PRODUCTION is true: it seals the audit log "
            "(<id>:<base64>; `msoic audit new-key` makes one); keep it outside the database"
        )
    else:
        current = development_key(secret_key)
    ids = [current.id, *(k.id for k in retired)]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigError(
            f"MSOIC_AUDIT_KEY / MSOIC_AUDIT_RETIRED_KEYS: key id(s) {', '.join(duplicates)} "
            "given more than once"
        )
    if production and DEV_KEY_ID in ids:
        raise ConfigError(
            f"MSOIC_AUDIT_KEY / MSOIC_AUDIT_RETIRED_KEYS: the key id {DEV_KEY_ID!r} is kept "
            "for the development key; name production keys otherwise"
        )
    return Keyring(current, retired)


def new_key_line(key_id: str) -> str:
    """A fresh random key, written as the environment expects it."""
    if not _KEY_ID.match(key_id) or key_id == DEV_KEY_ID:
        raise ValueError(
            f"key id {key_id!r} must be 1 to 32 letters, digits, '.', '_' or '-', and not "
            f"{DEV_KEY_ID!r}"
        )
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(MIN_KEY_BYTES)).decode('ascii')}"


_warned = False


def get_keyring() -> Keyring:
    """The configured keyring (read at each call, so tests can change the settings)."""
    global _warned
    from django.conf import settings

    keyring: Keyring = settings.MSOIC_AUDIT_KEYRING
    if keyring.is_development and not _warned:
        _warned = True
        logger.warning(
            "audit log: MSOIC_AUDIT_KEY is not set, so rows are sealed with a development key "
            "derived from SECRET_KEY; fine for the demo and tests, never for real data"
        )
    return keyring
