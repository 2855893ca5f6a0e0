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
    password: str | None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    with_token: bool = False,
    token_scopes: tuple[str, ...] | list[str] = DEFAULT_TOKEN_SCOPES,
    actor: Any = None,
    check_password: bool = True,
) -> tuple[User, str | None]:
    """A new user with ``role`` in the org unit ``orgunit_code`` (checked against the role).
    ``password=None`` makes an account with no usable password: its owner chooses one through
    a set-password link (:func:`set_password_link_token`), as the administrators' web pages do."""
    orgunit = orgunit_for_role(role, orgunit_code)
    if User.objects.filter(username=username).exists():
        raise UserError(f"user {username!r} already exists")
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        orgunit=orgunit,
    )
    if check_password and password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise UserError("password refused: " + " ".join(exc.messages)) from exc
    with transaction.atomic():
        if password is None:
            user.set_unusable_password()
        else:
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


def orgunit_for_role(
    role: str, orgunit_code: str | None, *, field: str = "--orgunit"
) -> OrgUnit | None:
    """The org unit a user of ``role`` belongs to, from its code; UserError when the code is
    missing, unknown or of the wrong kind for the role (administrators belong to none).
    ``field`` names where the code is given, in the messages."""
    if role not in Role.values:
        raise UserError(f"unknown role {role!r}; choose from {', '.join(Role.values)}")
    kind = ROLE_ORGUNIT_KIND[Role(role)]
    orgunit = None
    if kind == "national":
        orgunit = OrgUnit.objects.get(kind="national")
        if orgunit_code and orgunit_code != orgunit.code:
            raise UserError(f"national analysts belong to the national unit: omit {field}")
    elif kind is not None:
        if not orgunit_code:
            raise UserError(f"a {Role(role).label.lower()} needs {field} (a {kind} code)")
        orgunit = OrgUnit.objects.filter(code=orgunit_code).first()
        if orgunit is None:
            raise UserError(f"unknown org unit {orgunit_code!r}")
        if orgunit.kind != kind:
            raise UserError(
                f"{orgunit.name} is a {orgunit.kind}; a {Role(role).label.lower()} needs a {kind}"
            )
    elif orgunit_code:
        raise UserError(f"administrators belong to no org unit: omit {field}")
    return orgunit


def _would_lock_out(user: User, *, actor: Any, losing_admin: bool) -> str | None:
    """Why a change that takes ``user`` out of the administrators (deactivation or another
    role) is refused: administrators do not do it to themselves, and the last active
    administrator stays one. None when the change may go ahead."""
    if not losing_admin:
        return None
    if getattr(actor, "pk", None) == user.pk:
        return (
            "you cannot do this to your own account: you would lose access to user "
            "management. Ask another administrator"
        )
    others = User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk)
    if not others.exists():
        return "this is the last active administrator: make another administrator first"
    return None


def do_set_user_active(user: User, active: bool, *, actor: Any, reason: str = "") -> User:
    """Deactivate (no login, no API token works, sessions ended) or reactivate an account.
    Accounts are never deleted: the audit log and the records name them."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active == active:
            return user
        if not active:
            refusal = _would_lock_out(user, actor=actor, losing_admin=user.role == Role.ADMIN)
            if refusal:
                raise UserError(refusal)
        user.is_active = active
        user.save(update_fields=["is_active"])
        detail: dict[str, Any] = {
            "step": "user reactivated" if active else "user deactivated",
            "user": user.username,
        }
        if not active:
            detail["sessions_ended"] = end_sessions_of(user)
        record(
            actor=actor,
            action=AuditAction.ADMIN,
            obj=user,
            orgunit=user.orgunit,
            justification=reason.strip(),
            detail=detail,
        )
    return user


def do_change_user_role(
    user: User, *, role: str, orgunit_code: str | None, actor: Any, field: str = "--orgunit"
) -> User:
    """Give an account another role and org unit (checked together, as at creation). Their
    sessions end, so the next page they open is decided by the new role, second factor
    included (a partner's session that skipped it must not carry on as a force user's)."""
    orgunit = orgunit_for_role(role, orgunit_code, field=field)
    with transaction.atomic():
        user = (
            User.objects.select_for_update(of=("self",)).select_related("orgunit").get(pk=user.pk)
        )
        before = {"role": user.role, "orgunit": user.orgunit.code if user.orgunit else None}
        after = {"role": role, "orgunit": orgunit.code if orgunit else None}
        if before == after:
            return user
        refusal = _would_lock_out(
            user, actor=actor, losing_admin=user.role == Role.ADMIN and role != Role.ADMIN
        )
        if refusal:
            raise UserError(refusal)
        user.role = role
        user.orgunit = orgunit
        user.save(update_fields=["role", "orgunit"])
        record(
            actor=actor,
            action=AuditAction.ADMIN,
            obj=user,
            orgunit=orgunit,
            detail={
                "step": "user role changed",
                "user": user.username,
                "role": role,
                "orgunit": after["orgunit"],
                "before": before,
                "sessions_ended": end_sessions_of(user),
            },
        )
    return user


def set_password_link_token(user: User) -> str:
    """A token for the user's set-password link (Django's password-reset tokens: signed with
    the secret key, good for PASSWORD_RESET_TIMEOUT, and void once the password changes or
    the user logs in)."""
    from django.contrib.auth.tokens import default_token_generator

    return default_token_generator.make_token(user)


def do_issue_set_password_link(user: User, *, actor: Any) -> str:
    """A set-password token for ``user`` (shown once to the administrator, who hands the
    link over), audited. The current password, if any, keeps working until it is used."""
    if not user.is_active:
        raise UserError("reactivate the account before sending a set-password link")
    token = set_password_link_token(user)
    record(
        actor=actor,
        action=AuditAction.ADMIN,
        obj=user,
        orgunit=user.orgunit,
        detail={"step": "set-password link issued", "user": user.username},
    )
    return token


def do_set_password_from_link(user: User, password: str) -> None:
    """The user chose their password through a set-password link (already validated by the
    form); their other sessions end."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        ended = end_sessions_of(user)
        record(
            actor=user,
            action=AuditAction.ADMIN,
            obj=user,
            orgunit=user.orgunit,
            detail={
                "step": "password set from link",
                "user": user.username,
                "sessions_ended": ended,
            },
        )


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
