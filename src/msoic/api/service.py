"""API v1 as a django-ninja API: the typed endpoints, their authentication and their errors.

The OpenAPI document is generated from the endpoints' signatures and schemas
(:func:`document`); the views are registered in :mod:`msoic.api.views` with :func:`endpoint`.

Request handling stays the API's own (:func:`msoic.api.http.api_endpoint` wraps every URL):
401 JSON for a caller with no session and no token, 405 JSON, CSRF on session requests that
change data, and a token's scope checked per endpoint (:func:`require_scope`). The
authentication classes below therefore only *describe* the two schemes to OpenAPI and let
through the caller the middleware and the wrapper have already authenticated.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern
from ninja import NinjaAPI
from ninja.decorators import decorate_view
from ninja.errors import ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from msoic.accounts.middleware import require_scope
from msoic.api.http import ApiError, Params, api_endpoint, error_response
from msoic.api.schemas import Error
from msoic.collection.actions import is_storage_full

logger = logging.getLogger(__name__)

PREFIX = "/api/v1/"
SCOPE_KEY = "x-token-scope"


class ApiTokenAuth(HttpBearer):
    """An API token issued by ``msoic create_user USERNAME --token`` (checked by the
    token middleware, which sets ``request.token_authenticated``)."""

    openapi_description = (
        "An API token issued by `msoic create_user USERNAME --token`, sent as "
        "`Authorization: Bearer <token>`. Each endpoint names the scope the token needs "
        f"(`{SCOPE_KEY}`)."
    )

    def __call__(self, request: HttpRequest) -> Any:
        return request.user if getattr(request, "token_authenticated", False) else None

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return self(request)


class SessionAuth(APIKeyCookie):
    """A logged-in browser session (both factors passed); CSRF is checked by api_endpoint."""

    param_name = "sessionid"
    openapi_description = (
        "A logged-in browser session. Session requests that change data need the CSRF token."
    )

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def __call__(self, request: HttpRequest) -> Any:
        user = request.user
        return user if user.is_authenticated else None

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return self(request)


AUTH = [ApiTokenAuth(), SessionAuth()]

api = NinjaAPI(
    title="MSOIC Insight API",
    version="1",
    description=(
        "Figures from the metric engine, the catalogue, and force returns. Every answer is "
        "scoped to the caller: a force user sees their force and national aggregates, a "
        "regional coordinator their region, a partner national aggregates only (people "
        "counts through disclosure control). Authenticate with `Authorization: Bearer "
        "<token>` (`msoic create_user ... --token`) or a logged-in session (session requests "
        "that change data need the CSRF token)."
    ),
    auth=AUTH,
    urls_namespace="api-v1",
    docs_url=None,
    openapi_url=None,
)


# --- errors: the API's JSON error bodies, whatever raised them ------------------------------


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return exc.response()


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(403, str(exc) or "you may not see this")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, str(exc) or "not found")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A declared parameter ninja could not read: answered as Params would have."""
    match = request.resolver_match
    if match is not None and match.url_name in ROUTES:
        try:  # unknown and repeated names first, as the views' Params reads them
            query_params(request)
        except ApiError as refused:
            return refused.response()
    first = exc.errors[0] if exc.errors else {}
    name = str((first.get("loc") or ["?"])[-1])
    if first.get("type") == "missing":
        return error_response(400, f"{name} is required", parameter=name)
    return error_response(400, f"{name}: {first.get('msg', 'invalid')}", parameter=name)


@api.exception_handler(OperationalError)
def _database_unavailable(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """The database down, restarting or out of disk: 503 with the reason in words (a
    request that changes data stored nothing: it ran in one transaction)."""
    logger.exception("API %s %s: database unavailable", request.method, request.path)
    if is_storage_full(exc):
        message = "the service's storage is full: nothing was stored; try again later"
    else:
        message = "the database is unavailable: nothing was stored; try again shortly"
    response = error_response(503, message)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    raise exc  # Django's own 500 handling, as for any other view (never a traceback page)


# --- registering endpoints ------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    method: str
    scope: str | None
    query: frozenset[str]  # the query parameters the view declares


# URL name -> its route, filled by endpoint()
ROUTES: dict[str, Route] = {}

ERRORS: dict[int, str] = {
    400: "A parameter is missing or malformed; `parameter` names it.",
    401: "Not logged in and no valid bearer token.",
    403: "The caller may not see this org unit or breakdown, or the token lacks the scope.",
    404: "No such object, or not one the caller may see.",
    405: "Method not allowed.",
    413: "The file is over the upload limit.",
    415: "Neither multipart nor a CSV/XLSX body.",
    503: "The database is unavailable or its storage is full; nothing was stored. Try again "
    "after `Retry-After` seconds.",
}
RETRY_AFTER_SECONDS = 30


def query_params(request: HttpRequest) -> Params:
    """The request's query parameters, read strictly against the names its endpoint's
    signature declares (so the document and the reading never disagree on them)."""
    match = request.resolver_match
    if match is None or match.url_name not in ROUTES:
        raise LookupError(f"{request.path}: not an API v1 endpoint registered with endpoint()")
    return Params(request, ROUTES[match.url_name].query)


def endpoint(
    method: str,
    path: str,
    *,
    name: str,
    scope: str | None,
    response: dict[int, Any],
    answers: dict[int, str] | None = None,
    errors: tuple[int, ...] = (400, 401, 403),
    csv: bool = False,
    openapi_extra: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Register a view as the operation ``method path`` of API v1.

    ``scope`` is the token scope it needs (enforced by :func:`require_scope` and written in
    the document as ``x-token-scope``); ``errors`` the error statuses it answers, each with
    the :class:`~msoic.api.schemas.Error` body; ``answers`` says what a status means where
    the generic words would not; ``csv`` adds the ``text/csv`` answer of
    ``format=csv``."""
    scope_value = str(getattr(scope, "value", scope)) if scope is not None else None
    extra: dict[str, Any] = dict(openapi_extra or {})
    if scope_value:
        extra[SCOPE_KEY] = scope_value
    errors = (*errors, 503)  # any operation may meet the database down
    responses = {**response, **{code: Error for code in errors}}
    described = {**{code: ERRORS[code] for code in errors}, **(answers or {})}
    for code, text in described.items():
        extra.setdefault("responses", {}).setdefault(code, {})["description"] = text
    if csv:
        extra.setdefault("responses", {}).setdefault(200, {})["content"] = {
            "text/csv": {"schema": {"type": "string"}}
        }

    def register(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        in_path = set(re.findall(r"{(\w+)}", path))
        query = frozenset(inspect.signature(view).parameters) - {"request"} - in_path
        ROUTES[name] = Route(method, scope_value, query)
        if scope_value:
            view = decorate_view(require_scope(scope_value))(view)
        api.api_operation(
            [method],
            path,
            url_name=name,
            response=responses,
            operation_id=kwargs.pop("operation_id", None),
            openapi_extra=extra,
            **kwargs,
        )(view)
        return view

    return register


def urlpatterns() -> list[URLPattern]:
    """The API's URLs, each wrapped by :func:`api_endpoint` (auth, 405, CSRF) and carrying
    ``required_scope`` for the token tests."""
    out = []
    for pattern in api.urls[0]:
        if not isinstance(pattern, URLPattern) or pattern.name not in ROUTES:
            continue  # ninja's root URL: /api/v1/ itself stays 404
        route = ROUTES[pattern.name]
        view = api_endpoint(route.method)(pattern.callback)
        if route.scope:
            view.required_scope = route.scope  # type: ignore[attr-defined]
        out.append(URLPattern(pattern.pattern, view, pattern.default_args, pattern.name))
    return out


@cache
def document() -> dict[str, Any]:
    """The OpenAPI document generated from the endpoints (a plain dict, computed once)."""
    from msoic.api import views  # noqa: F401  (registers the endpoints)

    spec = _plain(api.get_openapi_schema(path_prefix=PREFIX.rstrip("/")))
    for item in spec["paths"].values():
        for op in item.values():
            for param in op.get("parameters", []):
                # OpenAPI's parameter `examples` is a map of Example objects: give one example
                examples = param.pop("examples", None)
                if examples:
                    param["example"] = examples[0]
    return spec


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def endpoints() -> list[dict[str, Any]]:
    """The generated document's operations flattened for the API page: method, path, text,
    parameters (with their type), request body types, responses and the token scope."""
    spec = document()
    out = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            params = []
            for p in op.get("parameters", []):
                schema = p.get("schema", {})
                examples = schema.get("examples") or []
                kind = schema.get("type") or next(
                    (s["type"] for s in schema.get("anyOf", []) if s.get("type") != "null"),
                    "string",
                )
                params.append(
                    {
                        "name": p["name"],
                        "in": p["in"],
                        "required": p.get("required", False),
                        "description": p.get("description") or schema.get("description", ""),
                        "example": examples[0] if examples else None,
                        "type": kind,
                    }
                )
            responses = [
                {"code": code, "description": r.get("description", "")}
                for code, r in sorted(op["responses"].items())
            ]
            out.append(
                {
                    "id": op["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": params,
                    "body": sorted(op.get("requestBody", {}).get("content", {})),
                    "responses": responses,
                    "scope": op.get(SCOPE_KEY),
                }
            )
    return out
