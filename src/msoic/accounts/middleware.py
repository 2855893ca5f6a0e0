"""Authentication middleware.

- Bearer tokens (``Authorization: Bearer msoic_...``) authenticate ``/api/`` only; on any
  other URL the header is ignored, so a token never opens the web app.
- The second factor: a logged-in user who must use one (or has enrolled one) and whose
  session has not passed it is sent to the verification (or enrolment) step, on every URL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import cached_property, wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from msoic.accounts.models import ApiToken, hash_token

# Note when a token was last used, but write at most once a minute per token, so that a
# busy API client does not turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
API_PREFIX = "/api/"


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX)


class TokenAuthenticationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_path(request.path_info):
            # The web UI uses sessions only: a token sent here authenticates nothing.
            return self.get_response(request)
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, raw = header.partition(" ")
        if scheme.lower() == "bearer":  # the scheme name is case-insensitive (RFC 9110)
            raw = raw.strip()
            token = (
                ApiToken.objects.select_related("user", "user__orgunit")
                .filter(key_hash=hash_token(raw), revoked=False, user__is_active=True)
                .exclude(expires_at__lte=timezone.now())
                .first()
                if raw
                else None
            )
            if token is None:
                response = JsonResponse(
                    {"error": "invalid, expired or revoked API token", "status": 401}, status=401
                )
                response["WWW-Authenticate"] = 'Bearer realm="msoic", error="invalid_token"'
                return response
            now = timezone.now()
            if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            from msoic.accounts.actions import do_note_token_use

            do_note_token_use(token, path=request.path_info, now=now)
            request.user = token.user
            # Token requests carry no session cookie, so CSRF does not apply to them.
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
            request.token_authenticated = True  # type: ignore[attr-defined]
            request.api_token = token  # type: ignore[attr-defined]
        return self.get_response(request)


def require_scope(
    scope: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """An API view a bearer token may call only if it carries ``scope`` (403 otherwise).
    Session users (who passed both factors) are not limited by token scopes."""
    scope = str(getattr(scope, "value", scope))  # a TokenScope member or its value

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            token = getattr(request, "api_token", None)
            if token is not None and not token.has_scope(scope):
                response = JsonResponse(
                    {
                        "error": f"this API token lacks the scope {scope!r} "
                        f"(it has: {', '.join(token.scope_list)})",
                        "status": 403,
                    },
                    status=403,
                )
                response["WWW-Authenticate"] = (
                    f'Bearer realm="msoic", error="insufficient_scope", scope="{scope}"'
                )
                return response
            return view(request, *args, **kwargs)

        wrapper.required_scope = scope  # type: ignore[attr-defined]  # read by the tests
        return wrapper

    return decorate


class SecondFactorMiddleware:
    """Sends a logged-in session that has not passed the second factor to the step it needs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @cached_property
    def exempt_paths(self) -> frozenset[str]:
        names = ("login", "logout", "mfa-verify", "mfa-enrol", "healthz")
        return frozenset(reverse(name) for name in names)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        """After the URL is resolved and CSRF checked (a forged POST is refused first)."""
        from msoic.accounts import mfa

        user = request.user
        if (
            getattr(request, "token_authenticated", False)
            or not user.is_authenticated
            or not mfa.mfa_enabled()
            or request.path_info in self.exempt_paths
            or request.path_info.startswith(settings.STATIC_URL)
            or mfa.session_verified(request)
            or request.session.get(mfa.NO_FACTOR_USER_KEY) == user.pk
        ):
            return None
        if mfa.has_second_factor(user):
            step = "mfa-verify"
        elif mfa.mfa_required(user):
            step = "mfa-enrol"
        else:
            # A partner or administrator without a second factor: remembered for the session
            # (enrolling one verifies the session), so their pages cost no extra query.
            request.session[mfa.NO_FACTOR_USER_KEY] = user.pk
            return None
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return redirect(reverse(step) + (f"?{query}" if query else ""))
