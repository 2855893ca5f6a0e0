"""State changes for users, tokens and second factors, and the audit rows of logging in."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from msoic.accounts.models import (
    DEFAULT_TOKEN_SCOPES,
    ROLE_ORGUNIT_KIND,
    ApiToken,
    RecoveryCode,
    RecoveryCodeDevice,
    Role,
    User,
    hash_recovery_code,
)
from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.orgunits.models import OrgUnit

# A token's use is written to the audit log on its first use, then at most once an hour.
TOKEN_AUDIT_INTERVAL = timedelta(hours=1)


class UserError(ValueError):
    pass


def do_create_user(
    username: str,
    *,
    role: str,
    orgunit_code: str | None,
    password: str,
    email: str = "",
    with_token: bool = False,
    token_scopes: tuple[str, ...] | list[str] = DEFAULT_TOKEN_SCOPES,
    actor: Any = None,
    check_password: bool = True,
) -> tuple[User, str | None]:
    if role not in Role.values:
        raise UserError(f"unknown role {role!r}; choose from {', '.join(Role.values)}")
    kind = ROLE_ORGUNIT_KIND[Role(role)]
    orgunit = None
    if kind == "national":
        orgunit = OrgUnit.objects.get(kind="national")
        if orgunit_code and orgunit_code != orgunit.code:
            raise UserError("national analysts belong to the national unit: omit --orgunit")
    elif kind is not None:
        if not orgunit_code:
            raise UserError(f"a {Role(role).label.lower()} needs --orgunit (a {kind} code)")
        orgunit = OrgUnit.objects.filter(code=orgunit_code).first()
        if orgunit is None:
            raise UserError(f"unknown org unit {orgunit_code!r}")
        if orgunit.kind != kind:
            raise UserError(
                f"{orgunit.name} is a {orgunit.kind}; a {Role(role).label.lower()} needs a {kind}"
            )
    elif orgunit_code:
        raise UserError("administrators belong to no org unit: omit --orgunit")
    if User.objects.filter(username=username).exists():
        raise UserError(f"user {username!r} already exists")
    user = User(username=username, email=email, role=role, orgunit=orgunit)
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise UserError("password refused: " + " ".join(exc.messages)) from exc
    with transaction.atomic():
        user.set_password(password)
        user.save()
        raw = None
        if with_token:
            try:
                _, raw = ApiToken.issue(user, token_scopes)
            except ValueError as exc:
                raise UserError(str(exc)) from exc
        detail: dict[str, Any] = {"step": "user created", "role": role, "token": bool(with_token)}
        if with_token:
            detail["scopes"] = sorted(set(token_scopes))
        record(actor=actor, action=AuditAction.ADMIN, obj=user, orgunit=orgunit, detail=detail)
    return user, raw


def do_revoke_token(token: ApiToken, *, actor: Any, reason: str) -> ApiToken:
    if not reason.strip():
        raise UserError("say why the token is revoked")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked:
            return token
        token.revoked = True
        token.save(update_fields=["revoked"])
        record(
            actor=actor,
            action=AuditAction.TOKEN,
            obj=token,
            justification=reason.strip(),
            detail={"step": "token revoked", "user": token.user.username, "prefix": token.prefix},
        )
    return token


def do_issue_token(
    user: User, *, scopes: tuple[str, ...] | list[str], actor: Any
) -> tuple[ApiToken, str]:
    """A new API token for ``user`` with ``scopes``; the raw value is returned once."""
    with transaction.atomic():
        try:
            token, raw = ApiToken.issue(user, scopes)
        except ValueError as exc:
            raise UserError(str(exc)) from exc
        record(
            actor=actor,
            action=AuditAction.TOKEN,
            obj=token,
            detail={
                "step": "token issued",
                "user": user.username,
                "prefix": token.prefix,
                "scopes": token.scope_list,
                "expires": token.expires_at.isoformat() if token.expires_at else None,
            },
        )
    return token, raw


def do_note_token_use(token: ApiToken, *, path: str, now: datetime | None = None) -> bool:
    """Write a TOKEN audit row for a token's first use, then at most once an hour per token
    (a busy client would otherwise flood the log). True when a row was written."""
    now = now or timezone.now()
    if token.audited_at is not None and now - token.audited_at < TOKEN_AUDIT_INTERVAL:
        return False
    with transaction.atomic():
        claimed = (
            ApiToken.objects.filter(pk=token.pk, audited_at=token.audited_at).update(audited_at=now)
            == 1
        )
        if not claimed:  # another request of the same token wrote it
            return False
        token.audited_at = now
        record(
            actor=token.user,
            action=AuditAction.TOKEN,
            obj=token,
            orgunit=token.user.orgunit,
            detail={
                "step": "token used",
                "prefix": token.prefix,
                "path": path,
                "scopes": token.scope_list,
                "note": "first use this hour; later uses within the hour are not logged",
            },
        )
    return True


# --- logging in and out ----------------------------------------------------------------


def do_record_login(user: User, *, address: str | None, second_factor: str) -> None:
    record(
        actor=user,
        action=AuditAction.LOGIN,
        obj=user,
        orgunit=user.orgunit,
        detail={"step": "logged in", "address": address, "second_factor": second_factor},
    )


def do_record_login_failure(username: str, *, address: str | None, reason: str) -> None:
    """A refused login: the username tried and the address, never the password."""
    record(
        actor="anonymous",
        action=AuditAction.LOGIN_FAILED,
        object_type="accounts.user",
        object_id=username.strip()[:64],
        detail={
            "step": "login failed",
            "username": username.strip()[:150],
            "address": address,
            "reason": reason,
        },
    )


def do_record_logout(user: User, *, address: str | None) -> None:
    record(
        actor=user,
        action=AuditAction.LOGOUT,
        obj=user,
        orgunit=user.orgunit,
        detail={"step": "logged out", "address": address},
    )


# --- the second factor -----------------------------------------------------------------


def _mfa_row(user: User, event: str, *, actor: Any = None, **detail: Any) -> None:
    record(
        actor=actor if actor is not None else user,
        action=AuditAction.MFA,
        obj=user,
        orgunit=user.orgunit,
        detail={"step": event, "user": user.username, **detail},
    )


def new_recovery_code() -> str:
    """24 characters of base32 (120 bits), shown in groups of four."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1 to misread
    raw = "".join(secrets.choice(alphabet) for _ in range(24))
    return "-".join(raw[i : i + 4] for i in range(0, 24, 4))


def do_start_totp_enrolment(user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device (a fresh secret), made once per enrolment attempt."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=False)
    return device


def do_confirm_totp_enrolment(
    user: User, code: str, *, address: str | None
) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the pending TOTP device with a code from the app; issue recovery codes (the
    raw codes are returned once, only their hashes are kept). None if the code is wrong."""
    from msoic.accounts.mfa import RECOVERY_CODE_COUNT

    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None:
            raise UserError("no enrolment in progress: start again from the enrolment page")
        if not device.verify_token(code.strip().replace(" ", "")):
            _mfa_row(user, "enrolment code wrong", address=address)
            return None
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        RecoveryCodeDevice.objects.filter(user=user).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        recovery = RecoveryCodeDevice.objects.create(user=user, name="recovery codes")
        codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=recovery, code_hash=hash_recovery_code(c)) for c in codes
        )
        _mfa_row(user, "enrolled", address=address, recovery_codes=len(codes))
    return device, codes


def do_verify_second_factor(user: User, code: str, *, address: str | None) -> Any:
    """The device that accepts ``code`` (the TOTP app, else a recovery code, which is then
    used up), or None. The caller throttles tries (msoic.web.views: per username and address
    pair, per address, and per user); devices do not, so nobody can lock a user out."""
    from msoic.accounts.mfa import verifying_devices

    code = code.strip()
    devices = verifying_devices(user)
    if not devices:
        raise UserError(f"{user.username} has no second factor to verify")
    for device in devices:
        is_recovery = isinstance(device, RecoveryCodeDevice)
        token = code if is_recovery else code.replace(" ", "")
        if not is_recovery and not token.isdigit():
            continue
        with transaction.atomic():
            locked = type(device).objects.select_for_update().get(pk=device.pk)
            if locked.verify_token(token):
                if is_recovery:
                    left = locked.codes.count()
                    _mfa_row(user, "recovery code used", address=address, recovery_codes_left=left)
                else:
                    _mfa_row(user, "verified", address=address)
                return locked
    _mfa_row(user, "verification failed", address=address)
    return None


def do_reset_mfa(user: User, *, actor: Any, reason: str) -> int:
    """Remove a user's second factors (lost phone) and end their sessions; they enrol again
    at their next login. Returns how many devices were removed."""
    if not reason.strip():
        raise UserError("say why the second factor is reset")
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[1].get("otp_totp.TOTPDevice", 0)
        removed += (
            RecoveryCodeDevice.objects.filter(user=user)
            .delete()[1]
            .get("accounts.RecoveryCodeDevice", 0)
        )
        ended = end_sessions_of(user)
        _mfa_row(
            user,
            "reset",
            actor=actor,
            devices_removed=removed,
            sessions_ended=ended,
            reason=reason.strip(),
        )
    return removed


def end_sessions_of(user: User) -> int:
    """Delete the user's database sessions (the session engine is the database's)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended
