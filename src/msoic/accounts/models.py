"""Users, their role and org unit, API tokens and failed-login records for throttling."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    FORCE = "force", "Force user"
    REGIONAL = "regional", "Regional coordinator"
    NATIONAL = "national", "National analyst"
    PARTNER = "partner", "Partner"
    ADMIN = "admin", "Administrator"


# Which kind of org unit each role must belong to.
ROLE_ORGUNIT_KIND = {
    Role.FORCE: "force",
    Role.REGIONAL: "region",
    Role.NATIONAL: "national",
    Role.PARTNER: "partner",
    Role.ADMIN: None,
}


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.FORCE)
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )

    def __str__(self) -> str:
        return self.username

    @property
    def role_label(self) -> str:
        return Role(self.role).label


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, the raw value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"token {self.prefix}… of {self.user_id}"

    @classmethod
    def issue(cls, user: User) -> tuple[ApiToken, str]:
        from datetime import timedelta

        from django.conf import settings

        body = secrets.token_urlsafe(32)
        while not body[0].isalnum():
            # A prefix starting with "-" would read as an option to `msoic tokens revoke`.
            body = secrets.token_urlsafe(32)
        raw = "msoic_" + body
        days = settings.MSOIC_TOKEN_DAYS
        expires = timezone.now() + timedelta(days=days) if days > 0 else None
        token = cls.objects.create(
            user=user, key_hash=hash_token(raw), prefix=raw[6:14], expires_at=expires
        )
        return token, raw

    def is_usable(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return not self.revoked and (self.expires_at is None or self.expires_at > now)


class LoginFailure(models.Model):
    """One failed login; counted per username and per address to throttle guessing."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"failed login {self.username} from {self.address}"
