"""Bearer-token authentication for the API (``Authorization: Bearer msoic_...``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from msoic.accounts.models import ApiToken, hash_token

# Note when a token was last used, but write at most once a minute per token, so that a
# busy API client does not turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenAuthenticationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
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
            request.user = token.user
            # Token requests carry no session cookie, so CSRF does not apply to them.
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
            request.token_authenticated = True  # type: ignore[attr-defined]
        return self.get_response(request)
