"""Query-count pins for pages (STYLE.md 7), shared by the apps' query-count tests.

``pinned_get(client, url, queries)`` GETs a page that must make exactly ``queries`` database
queries. A test calls it on small data and again, with the same pin, on larger data, so an
N+1 (a query per row) fails; the failure lists the queries, as pytest-django's
``django_assert_num_queries`` does.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


def pinned_get(client: Any, url: str, queries: int, **params: str) -> Any:
    # An uncounted first request warms the per-process caches (the catalogue, the
    # navigation), whose queries depend on which tests this process ran before.
    client.get(url, params)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, f"GET {url} {params}: {response.status_code}"
    made = len(ctx.captured_queries)
    if made != queries:
        listed = "\n".join(f"{n}. {q['sql']}" for n, q in enumerate(ctx.captured_queries, 1))
        pytest.fail(f"GET {url} {params}: expected {queries} queries, {made} were made:\n{listed}")
    return response
