"""State changes for users and tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from msoic.accounts.models import ROLE_ORGUNIT_KIND, ApiToken, Role, User
from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.orgunits.models import OrgUnit


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
            _, raw = ApiToken.issue(user)
        record(
            actor=actor,
            action=AuditAction.ADMIN,
            obj=user,
            orgunit=orgunit,
            detail={"event": "user created", "role": role, "token": bool(with_token)},
        )
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
            action=AuditAction.ADMIN,
            obj=token,
            justification=reason.strip(),
            detail={"event": "token revoked", "user": token.user.username, "prefix": token.prefix},
        )
    return token
