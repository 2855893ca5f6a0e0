"""Bearer-token authentication for the API (``Authorization: Bearer msoic_...``)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from msoic.accounts.models import ApiToken, hash_token


class TokenAuthenticationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header.startswith("Bearer "):
            raw = header[len("Bearer ") :].strip()
            token = (
                ApiToken.objects.select_related("user", "user__orgunit")
                .filter(key_hash=hash_token(raw), revoked=False, user__is_active=True)
                .first()
            )
            if token is None:
                return JsonResponse({"error": "invalid or revoked API token"}, status=401)
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
            request.user = token.user
            # Token requests carry no session cookie, so CSRF does not apply to them.
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
            request.token_authenticated = True  # type: ignore[attr-defined]
        return self.get_response(request)
