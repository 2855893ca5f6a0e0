"""Security headers Django does not set itself: Content-Security-Policy and Permissions-Policy.

X-Frame-Options is set here too: Django's clickjacking middleware sits below the token
middleware, so it never sees the 401 that middleware returns for a bad token."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            response.headers.setdefault("Cache-Control", "no-store, private")
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body exceeds what any upload may be, before anything
    (the CSRF check included) reads the body and spools files to disk."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.template.loader import render_to_string

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        per_file = settings.MSOIC_MAX_UPLOAD_BYTES
        files = settings.MSOIC_MAX_FILES_PER_UPLOAD
        allowance = per_file * files + 64 * 1024  # the form's own fields and boundaries
        if length < 0 or length > allowance:
            message = (
                f"request body of {max(length, 0):,} bytes is over the limit of {allowance:,} "
                f"({files} files of at most {per_file:,} bytes)"
            )
            if request.path.startswith("/api/"):
                return JsonResponse({"error": message}, status=413)
            body = render_to_string(
                "413.html", {"length": max(length, 0), "per_file": per_file, "files": files}
            )
            return HttpResponse(body, status=413)
        return self.get_response(request)
