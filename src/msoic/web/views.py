"""Log in (throttled per username and per address), log out, home, health check."""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from msoic.accounts.models import LoginFailure


def client_address(request: HttpRequest) -> str | None:
    """The caller's address. Behind ``MSOIC_TRUSTED_PROXIES`` reverse proxies, the address the
    nearest untrusted hop gave: the proxies append to X-Forwarded-For, so count from the right
    (anything further left was written by the client and proves nothing)."""
    hops = settings.MSOIC_TRUSTED_PROXIES
    if hops > 0:
        forwarded = [
            a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
        ]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return None
    return request.META.get("REMOTE_ADDR") or None


def throttle_key(username: str) -> str:
    """Usernames are counted case-insensitively, so ``Kent.User`` and ``kent.user`` share a count."""
    return username.strip().lower()[:150]


def login_blocked(username: str, address: str | None) -> bool:
    """Too many recent failures for this username, or from this address (across usernames)."""
    since = timezone.now() - timedelta(seconds=settings.MSOIC_LOGIN_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    limit = settings.MSOIC_LOGIN_MAX_FAILURES
    key = throttle_key(username)
    if key and recent.filter(username=key).count() >= limit:
        return True
    per_address = limit * settings.MSOIC_LOGIN_ADDRESS_FACTOR
    return bool(address) and recent.filter(address=address).count() >= per_address


def record_login_failure(username: str, address: str | None) -> None:
    LoginFailure.objects.create(username=throttle_key(username), address=address)
    # Rows older than the window no longer count: drop them so the table stays small.
    cutoff = timezone.now() - timedelta(seconds=2 * settings.MSOIC_LOGIN_WINDOW_SECONDS)
    LoginFailure.objects.filter(at__lt=cutoff).delete()


class ThrottledLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username") or ""
        address = client_address(request)
        if login_blocked(username, address):
            # An unbound form: the password is not checked at all while blocked, so a
            # blocked guesser learns nothing, not even from timing.
            form = self.get_form_class()(request, initial={"username": username.strip()[:150]})
            response = self.render_to_response(
                self.get_context_data(form=form, throttled=True), status=429
            )
            response["Retry-After"] = str(settings.MSOIC_LOGIN_WINDOW_SECONDS)
            return response
        response = super().post(request, *args, **kwargs)
        if response.status_code != 302:
            record_login_failure(username, address)
        else:
            LoginFailure.objects.filter(username=throttle_key(username)).delete()
        return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


def home(request: HttpRequest) -> HttpResponse:
    """The modern slavery dashboard for the user's own area: their force or region, else national."""
    if not request.user.is_authenticated:
        return redirect("login")
    from msoic.dashboards.scope import default_orgunit_code

    return redirect(f"{reverse('dashboard-ms')}?orgunit={default_orgunit_code(request.user)}")


def healthz(request: HttpRequest) -> JsonResponse:
    """Up when the database answers (load balancers and `make demo-check` poll this)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "no answer"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
