"""Users, their role and org unit, API tokens (API only, scoped), recovery codes for the
second factor, and failed-login records for throttling."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin


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


class User(AbstractUser):  # type: ignore[django-manager-missing]  # django-otp devices
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


class TokenScope(models.TextChoices):
    """What an API token may do; a token carries only the scopes it was issued with."""

    READ_VALUES = "read:values", "Read figures, catalogue and returns"
    WRITE_RETURNS = "write:returns", "Submit returns"


DEFAULT_TOKEN_SCOPES = (TokenScope.READ_VALUES.value,)


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, the raw value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    # Space-separated TokenScope values.
    scopes = models.CharField(max_length=200, default=" ".join(DEFAULT_TOKEN_SCOPES))
    # When the token's use was last written to the audit log (at most once an hour).
    audited_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token {self.prefix}… of {self.user_id}"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    def has_scope(self, scope: str) -> bool:
        return scope in self.scope_list

    @classmethod
    def issue(
        cls, user: User, scopes: tuple[str, ...] | list[str] = DEFAULT_TOKEN_SCOPES
    ) -> tuple[ApiToken, str]:
        from datetime import timedelta

        from django.conf import settings

        unknown = sorted(set(scopes) - set(TokenScope.values))
        if unknown or not scopes:
            raise ValueError(
                f"token scopes {unknown or '(none)'} refused: choose from "
                + ", ".join(TokenScope.values)
            )

        body = secrets.token_urlsafe(32)
        while not body[0].isalnum():
            # A prefix starting with "-" would read as an option to `msoic tokens revoke`.
            body = secrets.token_urlsafe(32)
        raw = "msoic_" + body
        days = settings.MSOIC_TOKEN_DAYS
        expires = timezone.now() + timedelta(days=days) if days > 0 else None
        token = cls.objects.create(
            user=user,
            key_hash=hash_token(raw),
            prefix=raw[6:14],
            expires_at=expires,
            scopes=" ".join(sorted(set(scopes))),
        )
        return token, raw

    def is_usable(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return not self.revoked and (self.expires_at is None or self.expires_at > now)


class LoginStep(models.TextChoices):
    """Which step of the login failed: both steps share one throttle (msoic.web.views)."""

    PASSWORD = "password", "Password"
    CODE = "code", "Second-factor code"


class LoginFailure(models.Model):
    """One failed login step (a wrong password, or a wrong second-factor code); counted per
    username and address pair, per address, and for codes per username, to throttle guessing."""

    username = models.CharField(max_length=150, db_index=True)
    step = models.CharField(max_length=8, choices=LoginStep.choices, default=LoginStep.PASSWORD)
    address = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"failed login {self.username} from {self.address}"


def hash_recovery_code(code: str) -> str:
    """Recovery codes carry 120 random bits, so a plain SHA-256 is enough (ASVS 5.0 6.5.2:
    lookup secrets of 112 bits or more need no salt or slow hash). Case, spaces and dashes
    are ignored, as people copy them."""
    normal = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normal.encode("ascii", "ignore")).hexdigest()


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """A django-otp device holding single-use recovery codes, stored hashed only (the codes
    are shown once, at enrolment). A code that verifies is deleted."""

    def __str__(self) -> str:
        return f"recovery codes of {self.user_id}"

    def get_throttle_factor(self) -> int:
        """0: django-otp's per-device throttle is off. A throttle per device lets anyone with
        the password lock the user out; the code step is throttled per (username, address)
        pair instead, with the password step's mechanism (msoic.web.views)."""
        return 0

    def verify_token(self, token: str) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        match = self.codes.filter(code_hash=hash_recovery_code(str(token))).first()
        if match is None:
            self.throttle_increment()
            return False
        match.delete()
        self.throttle_reset()
        return True


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"recovery code of device {self.device_id}"
