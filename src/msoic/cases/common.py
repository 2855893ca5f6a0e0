"""Helpers the register's pages share: the request type, the register check, a change
attempted with its message, and the force whose list a page shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from msoic.accounts.models import User
from msoic.cases import access
from msoic.orgunits.models import OrgUnit


class AuthenticatedRequest(HttpRequest):
    user: User


def require_register(user: User) -> None:
    if not access.can_see_register(user):
        raise PermissionDenied("The register is for forces, coordinators and the unit")


def attempt(request: HttpRequest, change: Callable[[], Any], done: str) -> bool:
    try:
        change()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, done)
    return True


def pick_force(request: AuthenticatedRequest) -> OrgUnit | None:
    """The force whose list to show: a force user's own; others choose with ?force=
    among the forces they may read (403 for any other)."""
    readable = access.register_forces_readable(request.user)
    if request.user.orgunit_id and readable.filter(pk=request.user.orgunit_id).exists():
        return readable.get(pk=request.user.orgunit_id)
    code = request.GET.get("force", "")
    if not code:
        return None
    force = readable.filter(code=code).first()
    if force is None:
        raise PermissionDenied("That force's list is not yours to see")
    return force


def too_big(upload: Any) -> bool:
    return (upload.size or 0) > settings.MSOIC_MAX_UPLOAD_BYTES


def own_force(user: User) -> OrgUnit | None:
    return access.register_forces_writable(user).first()
