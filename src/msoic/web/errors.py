"""The pages for refused and failed requests (400, 403, 404, 405, 429, 500).

Django's handlers (``handler400`` and the others in msoic/urls.py) and
:class:`ErrorPageMiddleware` (for a 4xx answered with an empty body, such as the 405 of
``require_POST``) render the GOV.UK pages in msoic/templates, with the service header and
the user's navigation. None shows the exception's message or any other internal detail.
The API (``/api/``) answers JSON instead, as its own endpoints do.

The 500 page is rendered from the template alone, without the request: the user, the
session or the database may be what failed, and the page must still appear.
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Callable

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

TEMPLATES = {400: "400.html", 403: "403.html", 404: "404.html", 405: "405.html", 429: "429.html"}
API_MESSAGES = {
    400: "bad request",
    403: "you may not see this",
    404: "not found",
    405: "method not allowed",
    429: "too many requests",
    500: "the service failed; try again later",
    503: "the service is unavailable for a moment; try again shortly",
}
FALLBACK_500 = (
    '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
    "<title>Sorry, there is a problem with the service – MSOIC Insight</title></head><body>"
    "<h1>Sorry, there is a problem with the service</h1><p>Try again in a few minutes.</p>"
    '<p><a href="/">Go to the MSOIC Insight home page</a></p></body></html>'
)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _wait_text(seconds: str | None) -> str:
    try:
        value = int(seconds or 0)
    except ValueError:
        return ""
    if value <= 0:
        return ""
    if value < 60:
        return f"{value} second{'s' if value != 1 else ''}"
    minutes = -(-value // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def error_page(
    request: HttpRequest, status: int, *, retry_after: str | None = None
) -> HttpResponse:
    """The page (or, under /api/, the JSON) for a refused request with this status."""
    if _is_api(request):
        return JsonResponse({"error": API_MESSAGES[status]}, status=status)
    context = {"wait": _wait_text(retry_after)}
    # The navigation needs the user; a request refused before authentication has none.
    template = loader.get_template(TEMPLATES[status])
    body = template.render(context, request if hasattr(request, "user") else None)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404)


DATABASE_RETRY_AFTER = "30"


def _database_unavailable() -> bool:
    """Whether the failure being handled is a moment's unavailability: the database not
    answering (a restart, a dropped connection) or the storage full (ENOSPC, e.g. while an
    upload is first saved). Django calls the 500 handler inside the ``except`` block."""
    exc = sys.exc_info()[1]
    while exc is not None:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, rendered without the request (no user, session or database); a 503
    with ``Retry-After`` when the database did not answer, wherever that happened (a
    middleware asking for the session or the token's user fails before any view)."""
    unavailable = _database_unavailable()
    status = 503 if unavailable else 500
    if _is_api(request):
        message = API_MESSAGES[503] if unavailable else API_MESSAGES[500]
        response: HttpResponse = JsonResponse({"error": message}, status=status)
    else:
        try:
            body = loader.get_template("500.html").render()
        except Exception:  # the page itself must not fail: plain words instead
            body = FALLBACK_500
        response = HttpResponse(body, status=status)
    if unavailable:
        response["Retry-After"] = DATABASE_RETRY_AFTER
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token: the GOV.UK page, not Django's reason."""
    if _is_api(request):
        return JsonResponse({"error": "CSRF check failed"}, status=403)
    body = loader.get_template("403_csrf.html").render(
        {}, request if hasattr(request, "user") else None
    )
    return HttpResponse(body, status=403)


class ErrorPageMiddleware:
    """Give a page to a 4xx answered with an empty body (``HttpResponseNotAllowed`` from
    ``require_POST``, a bare ``HttpResponseForbidden``), so that no user meets a blank page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        status = response.status_code
        if (
            status in TEMPLATES
            and not response.streaming
            and not response.content
            and request.method != "HEAD"
        ):
            page = error_page(request, status, retry_after=response.get("Retry-After"))
            for header in ("Allow", "Retry-After"):
                if header in response:
                    page[header] = response[header]
            return page
        return response
