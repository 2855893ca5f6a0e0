"""The application's URLs plus views that fail on purpose, for tests/web/test_error_pages.py
(the error handlers are read from the root URLconf, so they are carried over)."""

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from msoic.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401

SECRET = "database password is hunter2 at db.internal:5432"


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET)


def database_gone(request: HttpRequest) -> HttpResponse:
    from django.db.utils import OperationalError

    raise OperationalError(f"connection to server failed: {SECRET}")


def disk_full(request: HttpRequest) -> HttpResponse:
    import errno

    raise OSError(errno.ENOSPC, "No space left on device")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation(SECRET)


def rate_limited(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(status=429)
    response["Retry-After"] = "120"
    return response


urlpatterns = [
    path("test-errors/fails/", fails),
    path("test-errors/suspicious/", suspicious),
    path("test-errors/rate-limited/", rate_limited),
    path("api/v1/test-errors/fails/", fails),
    path("test-errors/database-gone/", database_gone),
    path("test-errors/disk-full/", disk_full),
    path("api/v1/test-errors/database-gone/", database_gone),
    *urlpatterns,
]
