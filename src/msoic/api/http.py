"""The API's request handling: authentication, JSON errors and parameter parsing.

Every endpoint is wrapped by :func:`api_endpoint`, so that:

- a caller who is not logged in (no session, no bearer token) gets 401 JSON, never a
  redirect to the login page;
- a refused access check (``PermissionDenied``) is 403 JSON and an unknown object 404 JSON;
- a bad parameter is 400 JSON naming the parameter;
- an unsafe method on a *session* is CSRF-checked; a bearer-token request carries no
  cookie, so it is not (the token middleware marks it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

from msoic.accounts import access
from msoic.metrics.periods import Period, PeriodError, parse_month
from msoic.orgunits.models import OrgUnit

View = Callable[..., HttpResponse]


class ApiError(Exception):
    """A request the API refuses, with the status and (for 400) the parameter at fault."""

    def __init__(self, message: str, *, status: int = 400, parameter: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.parameter = parameter

    def response(self) -> JsonResponse:
        return error_response(self.status, self.message, parameter=self.parameter)


def error_response(status: int, message: str, *, parameter: str | None = None) -> JsonResponse:
    body: dict[str, Any] = {"error": message, "status": status}
    if parameter:
        body["parameter"] = parameter
    response = JsonResponse(body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="msoic"'
    return response


def _csrf_failure(request: HttpRequest) -> bool:
    """Run Django's CSRF check as the middleware would; True when it fails."""
    check = CsrfViewMiddleware(lambda r: HttpResponse())
    check.process_request(request)
    return check.process_view(request, lambda r: HttpResponse(), (), {}) is not None


def api_endpoint(*methods: str) -> Callable[[View], View]:
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view: View) -> View:
        @csrf_exempt  # checked below for session requests, after authentication
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return error_response(
                    401, "authentication required: log in or send Authorization: Bearer <token>"
                )
            if request.method not in allowed:
                response = error_response(405, f"method {request.method} not allowed")
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            unsafe = request.method not in {"GET", "HEAD", "OPTIONS", "TRACE"}
            if (
                unsafe
                and not getattr(request, "token_authenticated", False)
                and _csrf_failure(request)
            ):
                return error_response(
                    403, "CSRF check failed: send the CSRF token, or use a bearer token"
                )
            if request.method == "HEAD":
                request.method = "GET"  # answered as GET; the server sends no body
            try:
                return view(request, *args, **kwargs)
            except ApiError as exc:
                return exc.response()
            except PermissionDenied as exc:
                return error_response(403, str(exc) or "you may not see this")
            except Http404 as exc:
                return error_response(404, str(exc) or "not found")

        return wrapper

    return decorate


class Params:
    """The query parameters of one request, read strictly: unknown names are refused."""

    def __init__(self, request: HttpRequest, allowed: Iterable[str]) -> None:
        self.request = request
        self.query = request.GET
        unknown = sorted(set(self.query) - set(allowed))
        if unknown:
            raise ApiError(
                f"unknown parameter {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})",
                parameter=unknown[0],
            )
        for name in self.query:
            if len(self.query.getlist(name)) > 1:
                raise ApiError(f"give {name} once", parameter=name)

    def text(self, name: str, *, required: bool = False, default: str | None = None) -> str | None:
        value = (self.query.get(name) or "").strip()
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            # e.g. a NUL, which PostgreSQL refuses in any string it is sent
            raise ApiError(f"{name} contains a control character", parameter=name)
        if not value:
            if required:
                raise ApiError(f"{name} is required", parameter=name)
            return default
        return value

    def choice(
        self,
        name: str,
        choices: Iterable[str],
        *,
        required: bool = False,
        default: str | None = None,
    ) -> str | None:
        options = list(choices)
        value = self.text(name, required=required, default=default)
        if value is not None and value not in options:
            raise ApiError(
                f"{name} must be one of: {', '.join(options)} (got {value!r})", parameter=name
            )
        return value

    def period(self, name: str) -> Period:
        value = self.text(name, required=True)
        assert value is not None
        try:
            return Period.parse(value)
        except PeriodError as exc:
            raise ApiError(str(exc), parameter=name) from exc

    def month(self, name: str) -> date:
        value = self.text(name, required=True)
        assert value is not None
        try:
            return parse_month(value)
        except PeriodError as exc:
            raise ApiError(str(exc), parameter=name) from exc

    def boolean(self, name: str, *, default: bool = False) -> bool:
        return parse_bool(self.text(name), name, default)

    def integer(self, name: str, *, default: int, minimum: int, maximum: int) -> int:
        value = self.text(name)
        if value is None:
            return default
        # isascii: str.isdigit is also true of digits int() refuses, such as '²'
        if not (value.isascii() and value.isdigit()) or not minimum <= int(value) <= maximum:
            raise ApiError(
                f"{name} must be a whole number from {minimum} to {maximum}", parameter=name
            )
        return int(value)

    def orgunit(self, name: str, *, default: str | None = None) -> OrgUnit:
        """The org unit named by the parameter, through the access layer (403 if not the caller's)."""
        code = self.text(name, required=default is None, default=default)
        assert code is not None
        try:
            return access.get_orgunit_for_user(self.request.user, code)  # type: ignore[arg-type]
        except Http404 as exc:
            raise ApiError(f"unknown org unit {code!r}", parameter=name) from exc


def parse_bool(value: str | None, name: str, default: bool) -> bool:
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"true", "1", "yes"}:
        return True
    if lowered in {"false", "0", "no"}:
        return False
    raise ApiError(f"{name} must be true or false", parameter=name)
