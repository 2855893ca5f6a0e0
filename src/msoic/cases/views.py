"""Web pages of the investigation register."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from msoic.accounts import access
from msoic.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    user: User


@login_required
@require_GET
def hub(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if not access.can_see_investigations_hub(user):
        raise PermissionDenied("Investigations are for forces, coordinators, the unit and partners")
    return render(
        request,
        "cases/hub.html",
        {
            "register": access.can_see_register(user),
            "can_enter": access.register_forces_writable(user).exists(),
            "is_national": user.role == "national",
            "is_partner": user.role == "partner",
        },
    )
