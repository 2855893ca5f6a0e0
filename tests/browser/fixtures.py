"""The browser tests' fixtures, registered for every test package by tests/conftest.py:
``browser`` (one headless Chromium), ``watched`` (a fresh page that records what goes wrong
on it), and, for every test marked ``browser``, the reference org units loaded again."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, VENDOR, WATCH_CSP, Watched, load_orgunits

# Playwright's sync API runs an event loop in this thread; the live server's database
# calls from test code are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _browser_reference_orgunits(request: pytest.FixtureRequest) -> None:
    """The nation, regions, forces and partners, for each browser test with a live server.

    Browser tests are transactional (the live server reads what they commit), so the
    database is flushed after each one, taking the migration's reference data with it.
    Loading it again (idempotently) keeps these tests independent of serialized rollback,
    which cannot be relied on once Playwright's event loop runs in this thread (asgiref then
    hands Django a fresh connection wrapper without the serialized database)."""
    if request.node.get_closest_marker("browser") is None:
        return
    if "live_server" not in request.fixturenames:
        return  # a document set on a page, read from the test's own (rolled back) data
    request.getfixturevalue("transactional_db")
    load_orgunits()


_SHARED: dict[str, Any] = {}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the whole run (for each xdist worker: one per process).

    There can be only one Playwright per thread (a second one finds the first one's event
    loop running); should this fixture be registered twice (a package's conftest importing
    it), both share the instance started first, and the one that started it stops it."""
    if "browser" in _SHARED:
        yield _SHARED["browser"]
        return
    from playwright.sync_api import sync_playwright

    missing = [
        n
        for n in (
            "vega.min.js",
            "vega-lite.min.js",
            "vega-embed.min.js",
            "axe.min.js",
            "govuk-frontend.min.css",
        )
        if not (VENDOR / n).exists()
    ]
    if missing:
        pytest.fail(f"front-end files missing from {VENDOR}: {missing}; run `make assets`")
    from django.db import connections

    # Starting Playwright's sync API leaves this thread in another contextvars context, in
    # which asgiref's Local (behind django.db.connections) is empty, so Django would hand
    # out fresh connection wrappers: ones without the test database's serialized contents
    # (breaking serialized_rollback for later tests). Put the wrappers back.
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install Debian's chromium package (apt-get install "
            "chromium) or set MSOIC_CHROMIUM to its path; the browser tests never download one",
            pytrace=False,
        )
    wrappers = {alias: connections[alias] for alias in connections}
    playwright = sync_playwright().start()
    for alias, wrapper in wrappers.items():
        connections[alias] = wrapper
    _SHARED["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield _SHARED["browser"]
    finally:
        _SHARED.pop("browser").close()
        playwright.stop()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    w = Watched(page)
    page.on(
        "console",
        lambda m: w.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: w.errors.append(f"page error: {e}"))
    page.on(
        "response",
        lambda r: w.errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None,
    )
    yield w
    context.close()
    _wait_for_the_live_servers_requests()


def _wait_for_the_live_servers_requests(timeout: float = 15.0) -> None:
    """Let the requests the page left in flight (a favicon after a JSON document, a chart's
    data) finish before the test's teardown flushes the database. On SQLite the live server
    shares the test's in-memory connection: a flush while a request thread still writes
    (its session, an audit row) met that thread's open transaction ("cannot start a
    transaction within a transaction") and left the connection broken for later tests."""
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name and thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))
